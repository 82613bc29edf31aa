#pragma once
// Helpers shared by the storage tests: a scratch directory and the sql/ scripts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "im/store/store_error.hpp"

namespace im::store::testing {

// A fresh directory from mkdtemp, removed with its contents at scope end.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "im-store-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
        path_ = pattern;
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    const std::filesystem::path &path() const { return path_; }
    std::filesystem::path file(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// The project's sql/ directory: from the IM_SOURCE_DIR macro, else the
// IM_SOURCE_DIR environment variable, else relative to tests/ in a build dir.
inline std::filesystem::path sql_dir()
{
#ifdef IM_SOURCE_DIR
    return std::filesystem::path(IM_SOURCE_DIR) / "sql";
#else
    if (const char *source = std::getenv("IM_SOURCE_DIR")) return std::filesystem::path(source) / "sql";
    return "../../sql";
#endif
}

inline std::filesystem::path create_script(std::string_view module)
{
    return sql_dir() / (std::string(module) + "-create.sql");
}

// The message of the StoreError `action` throws; a test failure if none.
template <typename Action>
std::string store_error_of(Action &&action)
{
    try {
        action();
    } catch (const StoreError &error) {
        return error.what();
    }
    ADD_FAILURE() << "no StoreError thrown";
    return {};
}

}  // namespace im::store::testing
