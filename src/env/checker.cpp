#include "rlnas/env/checker.h"
