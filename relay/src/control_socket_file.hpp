#pragma once
// The control socket's file-system side: parent directory, stale files left
// by a crashed relay, permissions, and removal at exit. Removal checks the
// inode so a relay never deletes the socket of a newer instance.
#include <optional>
#include <string>
#include <sys/types.h>

namespace im::msrp_relay {

class ControlSocketFile {
public:
    ControlSocketFile() = default;
    ControlSocketFile(const ControlSocketFile &) = delete;
    ControlSocketFile &operator=(const ControlSocketFile &) = delete;
    ~ControlSocketFile() { remove(); }

    // Before bind: create the parent directory and remove a stale socket.
    // Refuses when a live relay answers on the path or the file is no socket.
    std::optional<std::string> prepare(const std::string &path);
    // After bind: chmod 0660 and remember the file as ours.
    std::optional<std::string> claim();
    // Unlinks the file if it is still the one we created; idempotent.
    void remove();

    const std::string &path() const { return path_; }

private:
    std::string path_;
    bool owned_ = false;
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

}  // namespace im::msrp_relay
