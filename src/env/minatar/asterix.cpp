// MinAtar asterix: placeholder until the game is implemented.
#include "minatar/game_env.h"

namespace rlnas::env::minatar {

std::unique_ptr<MinAtarEnv> make_asterix(const MinAtarOptions& /*options*/) {
  throw Error("minatar/asterix is not implemented yet");
}

}  // namespace rlnas::env::minatar
