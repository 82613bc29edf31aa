#include "im/version.hpp"
