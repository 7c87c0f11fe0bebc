// A shared object without the rlnas_plugin entry point.
extern "C" int not_an_rlnas_plugin() { return 42; }
