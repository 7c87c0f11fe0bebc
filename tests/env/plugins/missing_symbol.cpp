// A plugin that uses a function this rlnas does not have (as one built against another rlnas
// might): loading it must fail with the symbol's name, not crash later.
#include "rlnas/env/plugin.h"

namespace rlnas::env {
void function_from_another_rlnas(EnvRegistry& registry);
}

RLNAS_PLUGIN("missing-symbol", rlnas::env::function_from_another_rlnas)
