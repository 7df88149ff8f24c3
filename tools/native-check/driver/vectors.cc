// Vector file reader (format: src/format.ts).
#include "vectors.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace native_check {
namespace {

size_t ElementSize(FieldType t) {
  switch (t) {
    case FieldType::U8:
    case FieldType::I8: return 1;
    case FieldType::I32:
    case FieldType::F32: return 4;
    case FieldType::F64: return 8;
  }
  return 0;
}

template <typename T>
struct TypeOf;
template <> struct TypeOf<uint8_t> { static constexpr FieldType kType = FieldType::U8; };
template <> struct TypeOf<int8_t> { static constexpr FieldType kType = FieldType::I8; };
template <> struct TypeOf<int32_t> { static constexpr FieldType kType = FieldType::I32; };
template <> struct TypeOf<float> { static constexpr FieldType kType = FieldType::F32; };
template <> struct TypeOf<double> { static constexpr FieldType kType = FieldType::F64; };

// Sequential little-endian reads over the file's bytes.
struct Cursor {
  const std::vector<unsigned char>& b;
  size_t at = 0;
  void Need(size_t n) {
    if (at + n > b.size()) throw std::runtime_error("truncated vector file at byte " + std::to_string(at));
  }
  uint32_t Uint(size_t bytes) {
    Need(bytes);
    uint32_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(b[at + i]) << (8 * i);
    at += bytes;
    return v;
  }
  std::string Str() {
    const size_t n = Uint(2);
    Need(n);
    std::string s(reinterpret_cast<const char*>(b.data() + at), n);
    at += n;
    return s;
  }
};

}  // namespace

const Field& Case::Get(const std::string& name) const {
  auto it = fields.find(name);
  if (it == fields.end()) throw std::runtime_error("no field '" + name + "'");
  return it->second;
}

template <typename T>
const T* Case::Data(const std::string& name, size_t* count) const {
  const Field& f = Get(name);
  if (f.type != TypeOf<T>::kType) throw std::runtime_error("field '" + name + "' has another type");
  if (count) *count = f.count;
  // the bytes vector is suitably aligned for any scalar (operator new)
  return reinterpret_cast<const T*>(f.bytes.data());
}

template const uint8_t* Case::Data<uint8_t>(const std::string&, size_t*) const;
template const int8_t* Case::Data<int8_t>(const std::string&, size_t*) const;
template const int32_t* Case::Data<int32_t>(const std::string&, size_t*) const;
template const float* Case::Data<float>(const std::string&, size_t*) const;
template const double* Case::Data<double>(const std::string&, size_t*) const;

double Case::Num(const std::string& name) const {
  const Field& f = Get(name);
  if (f.count < 1) throw std::runtime_error("field '" + name + "' is empty");
  switch (f.type) {
    case FieldType::U8: return Data<uint8_t>(name)[0];
    case FieldType::I8: return Data<int8_t>(name)[0];
    case FieldType::I32: return Data<int32_t>(name)[0];
    case FieldType::F32: return Data<float>(name)[0];
    case FieldType::F64: return Data<double>(name)[0];
  }
  return 0;
}

bool ReadVectors(const char* path, std::vector<Case>* out, std::string* error) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path, "rb"), std::fclose);
  if (!f) {
    *error = std::string("cannot open ") + path;
    return false;
  }
  std::vector<unsigned char> bytes;
  unsigned char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f.get())) > 0) bytes.insert(bytes.end(), buf, buf + n);
  try {
    if (bytes.size() < 4 || std::memcmp(bytes.data(), "QTV1", 4) != 0) throw std::runtime_error("not a QTV1 vector file");
    Cursor c{bytes, 4};
    while (c.at < bytes.size()) {
      Case k;
      k.op = c.Str();
      k.label = c.Str();
      const size_t count = c.Uint(2);
      for (size_t i = 0; i < count; ++i) {
        const std::string name = c.Str();
        Field fl;
        const uint32_t tag = c.Uint(1);
        if (tag > 4) throw std::runtime_error("unknown type tag " + std::to_string(tag) + " of field '" + name + "'");
        fl.type = static_cast<FieldType>(tag);
        fl.count = c.Uint(4);
        const size_t size = fl.count * ElementSize(fl.type);
        c.Need(size);
        fl.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(c.at), bytes.begin() + static_cast<std::ptrdiff_t>(c.at + size));
        c.at += size;
        k.fields.emplace(name, std::move(fl));
      }
      out->push_back(std::move(k));
    }
  } catch (const std::exception& e) {
    *error = std::string(path) + ": " + e.what();
    return false;
  }
  return true;
}

}  // namespace native_check
