#pragma once
// The one exception type that leaves storage calls; the module glue catches it.
#include <stdexcept>

namespace im::store {

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace im::store
