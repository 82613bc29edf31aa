#pragma once
// Helpers shared by the storage tests: a scratch directory and the sql/ scripts.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <span>

#include "im/shared/shared_counter.hpp"
#include "im/shared/test_shm.hpp"
#include "im/store/schema.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/store_error.hpp"

namespace im::store::testing {

// A generation counter in the test's shared memory, as the modules share
// one between their worker processes; destroyed at scope end.
class Generation {
public:
    Generation() : counter_(*shared::SharedCounter::create(shared::SharedMemory(shared::test_shm_ops()))) {}
    ~Generation() { counter_.destroy(); }
    Generation(const Generation &) = delete;
    Generation &operator=(const Generation &) = delete;
    shared::SharedCounter &counter() { return counter_; }

private:
    shared::SharedCounter counter_;
};

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

// A database at path with one module's tables created and checked, as the
// module glue finds it after scripts/im-server ran the create script.
inline SqliteDatabase open_with_schema(const std::filesystem::path &path, std::span<const TableVersion> tables)
{
    SqliteDatabase db(path);
    apply_schema_file(db, create_script(tables.front().module));
    require_table_versions(db, tables);
    return db;
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

// A forked process standing for another Kamailio worker: it is forked before
// the parent opens the database (as workers are) and runs `work` on go().
class WorkerProcess {
public:
    explicit WorkerProcess(const std::function<void()> &work)
    {
        if (::pipe(go_pipe_) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::close(go_pipe_[1]);
            char signal = 0;
            const bool told = ::read(go_pipe_[0], &signal, 1) == 1;
            int status = 1;
            try {
                if (told) {
                    work();
                    status = 0;
                }
            } catch (...) {
            }
            ::_exit(status);  // no gtest or static teardown in the child
        }
        ::close(go_pipe_[0]);
    }
    WorkerProcess(const WorkerProcess &) = delete;
    WorkerProcess &operator=(const WorkerProcess &) = delete;
    ~WorkerProcess()
    {
        if (go_pipe_[1] >= 0) ::close(go_pipe_[1]);  // an unstarted child exits on EOF
        if (pid_ > 0) wait_for_exit();
    }

    void go()
    {
        const char signal = 'g';
        ASSERT_EQ(::write(go_pipe_[1], &signal, 1), 1);
        ::close(go_pipe_[1]);
        go_pipe_[1] = -1;
    }

    // True when the child's work completed without throwing.
    bool succeeded()
    {
        const int status = wait_for_exit();
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

private:
    int wait_for_exit()
    {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

    int go_pipe_[2]{-1, -1};
    pid_t pid_ = -1;
};

}  // namespace im::store::testing
