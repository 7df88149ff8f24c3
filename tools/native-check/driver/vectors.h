// Reader of the test-vector file written by src/format.ts (layout documented there):
// cases of named, typed fields. Accessors throw std::runtime_error on a missing or mistyped
// field (a broken vector file, reported as a failed case).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace native_check {

enum class FieldType : uint8_t { U8 = 0, I8 = 1, I32 = 2, F32 = 3, F64 = 4 };

struct Field {
  FieldType type = FieldType::U8;
  size_t count = 0;
  std::vector<unsigned char> bytes;  // count * element size, little-endian
};

struct Case {
  std::string op, label;
  std::map<std::string, Field> fields;

  bool Has(const std::string& name) const { return fields.count(name) != 0; }
  const Field& Get(const std::string& name) const;
  // The field's data as T (its type must be T's), and its element count.
  template <typename T>
  const T* Data(const std::string& name, size_t* count = nullptr) const;
  // First value of a scalar field of any type, as a double (exact for every stored scalar).
  double Num(const std::string& name) const;
  int32_t Int(const std::string& name) const { return static_cast<int32_t>(Num(name)); }
};

// Reads every case of `path`; false with a message on an I/O or format error.
bool ReadVectors(const char* path, std::vector<Case>* out, std::string* error);

}  // namespace native_check
