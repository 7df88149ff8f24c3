// Entry point of the fbgemm addon: the shared N-API surface with fbgemm numerics.
#include <napi.h>

#include "qtorch/napi_addon.h"

Napi::Object InitFbgemm(Napi::Env env, Napi::Object exports) {
  return qtorch::InitAddon(env, exports, qtorch::Engine::Fbgemm);
}

NODE_API_MODULE(qtorch_fbgemm, InitFbgemm)
