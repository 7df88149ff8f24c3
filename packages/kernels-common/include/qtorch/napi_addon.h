// The N-API surface shared by both addons; each addon's addon.cc passes its engine.
#pragma once

#include <napi.h>

#include "qtorch/qgemm.h"

namespace qtorch {

Napi::Object InitAddon(Napi::Env env, Napi::Object exports, Engine engine);

}  // namespace qtorch
