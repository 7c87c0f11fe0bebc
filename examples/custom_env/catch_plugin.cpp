// The example "Catch" environment as an rlnas plugin: every rlnas command can use it, e.g.
//   rlnas --plugin ./rlnas_catch.so train --env example/catch --steps 20000 --net mlp
// Built on its own against an installed rlnas (CMakeLists.txt, find_package(rlnas)); see
// docs/adding_an_env.md.
#include "catch_env.h"
#include "rlnas/env/plugin.h"

RLNAS_PLUGIN("example", example::register_example_envs)
