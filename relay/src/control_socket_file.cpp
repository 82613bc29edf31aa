#include "control_socket_file.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace im::msrp_relay {
namespace {

std::string errno_text(int error) { return std::system_category().message(error); }

// True when some process accepts connections on the socket at path.
bool someone_listens(const std::string &path)
{
    sockaddr_un address{};
    if (path.size() >= sizeof(address.sun_path)) return false;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    // EAGAIN means a full backlog: alive, just busy.
    bool alive = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0 || errno == EAGAIN;
    ::close(fd);
    return alive;
}

}  // namespace

std::optional<std::string> ControlSocketFile::prepare(const std::string &path)
{
    path_ = path;
    owned_ = false;
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::error_code error;
        std::filesystem::create_directories(parent, error);
        if (error) return "cannot create directory " + parent.string() + ": " + error.message();
    }

    struct stat existing {};
    if (::lstat(path.c_str(), &existing) != 0) {
        if (errno == ENOENT) return std::nullopt;
        return "cannot inspect " + path + ": " + errno_text(errno);
    }
    if (!S_ISSOCK(existing.st_mode)) return path + " exists and is not a socket; refusing to replace it";
    if (someone_listens(path)) return "another process is already listening on " + path;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return "cannot remove stale socket " + path + ": " + errno_text(errno);
    return std::nullopt;
}

std::optional<std::string> ControlSocketFile::claim()
{
    struct stat created {};
    if (::lstat(path_.c_str(), &created) != 0) return "cannot inspect " + path_ + ": " + errno_text(errno);
    owned_ = true;
    device_ = created.st_dev;
    inode_ = created.st_ino;
    // Group access lets the Kamailio user reach the relay without making it world-writable.
    if (::chmod(path_.c_str(), 0660) != 0) return "cannot chmod " + path_ + ": " + errno_text(errno);
    return std::nullopt;
}

void ControlSocketFile::remove()
{
    if (!owned_) return;
    owned_ = false;
    struct stat current {};
    if (::lstat(path_.c_str(), &current) == 0 && current.st_dev == device_ && current.st_ino == inode_)
        ::unlink(path_.c_str());
}

}  // namespace im::msrp_relay
