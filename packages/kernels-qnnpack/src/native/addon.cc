// Entry point of the qnnpack addon: the shared N-API surface with qnnpack numerics.
#include <napi.h>

#include "qtorch/napi_addon.h"

Napi::Object InitQnnpack(Napi::Env env, Napi::Object exports) {
  return qtorch::InitAddon(env, exports, qtorch::Engine::Qnnpack);
}

NODE_API_MODULE(qtorch_qnnpack, InitQnnpack)
