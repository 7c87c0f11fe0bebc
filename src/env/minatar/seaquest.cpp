// MinAtar seaquest: placeholder until the game is implemented.
#include "minatar/game_env.h"

namespace rlnas::env::minatar {

std::unique_ptr<MinAtarEnv> make_seaquest(const MinAtarOptions& /*options*/) {
  throw Error("minatar/seaquest is not implemented yet");
}

}  // namespace rlnas::env::minatar
