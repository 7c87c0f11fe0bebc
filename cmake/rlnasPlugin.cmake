# rlnas_add_plugin(NAME SOURCES...): an environment plugin, a MODULE library that an rlnas
# executable loads with --plugin (include/rlnas/env/plugin.h). It compiles against rlnas's headers
# only (rlnas::plugin) and links nothing of rlnas: the symbols it uses are resolved, when it is
# loaded, against the rlnas executable, which exports them. Shared by the build tree and the
# installed package (rlnasConfig.cmake).
function(rlnas_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE rlnas::plugin)
  target_compile_features(${name} PRIVATE cxx_std_20)
endfunction()
