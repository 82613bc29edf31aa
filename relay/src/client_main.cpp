// im-msrp-client: an MSRP endpoint for operators and tests. Connects to the
// first hop of an MSRP path (a relay session's a=path), sends text, stdin
// lines or a file in chunks, prints what arrives, and exits when done.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <chrono>
#include <deque>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/parser.hpp"
#include "im/msrp/result.hpp"
#include "msrp_relay/msrp_client_session.hpp"
#include "msrp_relay/payload_verifier.hpp"

namespace {

using namespace im::msrp_relay;
using Clock = std::chrono::steady_clock;

constexpr int kExitUsage = 2;
// Chunks are produced only while less than this waits to be written, so a
// large file never sits in memory twice and incoming data is always read.
constexpr std::size_t kOutboxHighWater = 256 * 1024;

void print_usage(std::FILE *to)
{
    std::fputs(R"(usage: im-msrp-client --to-path PATH [options]

Connects to the first URI of PATH (a relay session's a=path, e.g.
"msrp://127.0.0.1:2855/c8Hk2PqL0sWm4RzT9aVb;tcp"), binds with an empty SEND,
sends what it is given, prints what arrives, and exits when everything sent
was answered (and reported, with --success-report) and --expect messages
arrived.

  --to-path PATH        To-Path of every request, space-separated URIs
  --to-path-file FILE   instead of --to-path: the path is the first line of
                        FILE, read once the file exists (the far end's path
                        may only be known after this client's AUTH); the
                        client prints "self <our URI>" first
  --relay URI           RFC 4976: the client's own relay (e.g.
                        "msrp://relay.example.com:2855;tcp"): connect there,
                        AUTH first, put the Use-Path of its 200 in front of
                        PATH
  --auth USER:PASSWORD  answer the relay's Digest challenge to AUTH
  --text TEXT           send TEXT as one message (repeatable)
  --file FILE           send the file's contents as one message
  --stdin               send each line of standard input as one message,
                        until end of input
  --content-type TYPE   of the messages (default text/plain; with --file
                        application/octet-stream)
  --chunk-size BYTES    largest chunk body (default 65536)
  --success-report      ask for Success REPORTs and wait for them
  --failure-report V    yes (default), partial or no
  --expect N            wait until N messages have arrived
  --accept-types TYPES  space-separated media types taken (default "*"); a
                        SEND of another type is answered 415
  --trace               print a line for every frame received
  --output FILE         write the payload of every message received to FILE
                        (appended in arrival order; a message over 64 KB
                        is written as its chunks arrive, and messages
                        completed meanwhile follow it)
  --verify FILE         compare what --output would write with FILE instead
                        of writing it (FILE is mapped, each piece compared
                        at its position as it arrives); a difference, a
                        missing or a surplus byte fails the run (exit 1)
  --timeout SEC         give up after SEC seconds (default 30)
  --ca FILE             msrps: trust the PEM certificates in FILE (default:
                        the system's trusted CAs); the relay's certificate
                        must name the host of the first URI
  --insecure            msrps: do not verify the relay's certificate
  -h, --help            show this text

Output, one line per event on stdout:
  self <our URI>                             with --to-path-file, at the start
  authenticated use-path=PATH expires=SEC   the client's relay accepted AUTH
  auth-failed CODE COMMENT                   ... refused it
  bound <our URI>                            the relay accepted the connection
  sent message-id=ID bytes=N                 every chunk of a message got 200
  report message-id=ID status=CODE byte-range=START-END/TOTAL
  response CODE COMMENT message-id=ID        a chunk was refused
  message from=FROM content-type=TYPE bytes=N message-id=ID [text=TEXT]
                                             a complete message arrived (CPIM
                                             unwrapped; text escaped: \\ \r \n)
  refused 415 message-id=ID content-type=TYPE   a SEND not in --accept-types
  in METHOD|CODE to-path=PATH from-path=PATH [message-id=ID] [byte-range=R]
                                             with --trace, a frame received
Exit status: 0 when all is done without a failure, 1 on a failure or the
timeout, 2 on a usage error.
)",
               to);
}

struct Arguments {
    std::string to_path;
    std::optional<std::string> to_path_file;
    std::optional<std::string> relay;
    std::optional<std::string> auth;
    std::vector<std::string> texts;
    std::optional<std::string> file;
    bool from_stdin = false;
    std::optional<std::string> content_type;
    std::size_t chunk_size = 64 * 1024;
    bool success_report = false;
    im::msrp::FailureReport failure_report = im::msrp::FailureReport::yes;
    std::size_t expect = 0;
    std::optional<std::string> output;
    std::optional<std::string> verify;
    int timeout_seconds = 30;
    std::optional<std::string> ca_file;
    bool insecure = false;
    std::vector<std::string> accept_types = {"*"};
    bool trace = false;
};

std::optional<Arguments> parse_arguments(int argc, char **argv)
{
    Arguments args;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            std::exit(0);
        }
        if (arg == "--stdin") {
            args.from_stdin = true;
            continue;
        }
        if (arg == "--success-report") {
            args.success_report = true;
            continue;
        }
        if (arg == "--insecure") {
            args.insecure = true;
            continue;
        }
        if (arg == "--trace") {
            args.trace = true;
            continue;
        }
        if (i + 1 >= argc) return std::nullopt;
        std::string value = argv[++i];
        auto number = [&value](auto &out) {
            char *end = nullptr;
            long long parsed = std::strtoll(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0' || parsed < 0) return false;
            out = static_cast<std::remove_reference_t<decltype(out)>>(parsed);
            return true;
        };
        bool ok = true;
        if (arg == "--to-path") args.to_path = value;
        else if (arg == "--to-path-file") args.to_path_file = value;
        else if (arg == "--relay") args.relay = value;
        else if (arg == "--auth") ok = value.find(':') != std::string::npos && (args.auth = value, true);
        else if (arg == "--text") args.texts.push_back(value);
        else if (arg == "--file") args.file = value;
        else if (arg == "--content-type") args.content_type = value;
        else if (arg == "--chunk-size") ok = number(args.chunk_size) && args.chunk_size > 0;
        else if (arg == "--expect") ok = number(args.expect);
        else if (arg == "--output") args.output = value;
        else if (arg == "--verify") args.verify = value;
        else if (arg == "--ca") args.ca_file = value;
        else if (arg == "--accept-types") {
            args.accept_types.clear();
            std::istringstream types(value);
            for (std::string type; types >> type;) args.accept_types.push_back(type);
            ok = !args.accept_types.empty();
        }
        else if (arg == "--timeout") ok = number(args.timeout_seconds) && args.timeout_seconds > 0;
        else if (arg == "--failure-report") {
            if (value == "yes") args.failure_report = im::msrp::FailureReport::yes;
            else if (value == "no") args.failure_report = im::msrp::FailureReport::no;
            else if (value == "partial") args.failure_report = im::msrp::FailureReport::partial;
            else ok = false;
        } else
            ok = false;
        if (!ok) {
            std::fprintf(stderr, "im-msrp-client: bad option %s %s\n", std::string(arg).c_str(), value.c_str());
            return std::nullopt;
        }
    }
    if (args.to_path.empty() == !args.to_path_file) return std::nullopt;  // exactly one of them
    return args;
}

// Owns one file descriptor.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd()
    {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

std::string host_for_connect(const im::msrp::Uri &uri)
{
    std::string host = uri.host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return host;
}

// Connected, non-blocking socket to uri's host and port, or -1 with a message.
int connect_to(const im::msrp::Uri &uri)
{
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    std::string port = std::to_string(uri.port.value_or(2855));
    if (int error = ::getaddrinfo(host_for_connect(uri).c_str(), port.c_str(), &hints, &found); error != 0) {
        std::fprintf(stderr, "im-msrp-client: cannot resolve %s: %s\n", uri.host.c_str(), ::gai_strerror(error));
        return -1;
    }
    int fd = -1;
    int last_error = 0;
    for (addrinfo *candidate = found; candidate != nullptr && fd < 0; candidate = candidate->ai_next) {
        fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC, candidate->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, candidate->ai_addr, candidate->ai_addrlen) != 0) {
            last_error = errno;
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd < 0) {
        std::fprintf(stderr, "im-msrp-client: cannot connect to %s:%s: %s\n", uri.host.c_str(), port.c_str(),
                     std::strerror(last_error));
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

// Our own URI: the local address of the connection and a random session-id.
im::msrp::Uri local_uri(int fd, const im::msrp::RandomSource &random)
{
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    char host[INET6_ADDRSTRLEN] = "127.0.0.1";
    std::uint16_t port = 0;
    bool v6 = address.ss_family == AF_INET6;
    if (v6) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&address);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&address);
        ::inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
        port = ntohs(in4->sin_port);
    }
    im::msrp::Uri uri;
    uri.host = v6 ? "[" + std::string(host) + "]" : host;
    uri.port = port;
    uri.session_id = im::msrp::random_alphanumeric(12, random);
    uri.transport = "tcp";
    return uri;
}

// The connection's bytes, in the clear (msrp:) or through TLS (msrps:), on a
// non-blocking socket. send/receive return the byte count, 0 when the
// operation would block, -1 on an error or (receive) when the peer closed.
class Transport {
public:
    explicit Transport(int fd) : fd_(fd) {}

    // Blocks (up to the deadline) for the handshake; prints why it failed.
    bool start_tls(const im::msrp::Uri &uri, const Arguments &args, Clock::time_point deadline)
    {
        context_.reset(SSL_CTX_new(TLS_client_method()));
        if (!context_) return fail("cannot create a TLS context");
        SSL_CTX_set_min_proto_version(context_.get(), TLS1_2_VERSION);
        // Outbox bytes may move (it grows) and be taken in parts between retries.
        SSL_CTX_set_mode(context_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        if (!args.insecure) {
            SSL_CTX_set_verify(context_.get(), SSL_VERIFY_PEER, nullptr);
            int loaded = args.ca_file ? SSL_CTX_load_verify_locations(context_.get(), args.ca_file->c_str(), nullptr)
                                      : SSL_CTX_set_default_verify_paths(context_.get());
            if (loaded != 1) return fail("cannot load the trusted certificates");
        }
        tls_.reset(SSL_new(context_.get()));
        SSL_set_fd(tls_.get(), fd_);
        std::string host = host_for_connect(uri);
        X509_VERIFY_PARAM *param = SSL_get0_param(tls_.get());
        // An IP literal is checked against the certificate's IP addresses, a name against its DNS names.
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
            X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
            SSL_set_tlsext_host_name(tls_.get(), host.c_str());
        }
        while (true) {
            int result = SSL_connect(tls_.get());
            if (result == 1) return true;
            int error = SSL_get_error(tls_.get(), result);
            if ((error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) || Clock::now() >= deadline)
                return fail("TLS handshake failed");
            pollfd wait{fd_, static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
            ::poll(&wait, 1, 100);
        }
    }

    ssize_t send(std::string_view bytes)
    {
        if (!tls_) {
            ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
            return sent;
        }
        std::size_t sent = 0;
        if (SSL_write_ex(tls_.get(), bytes.data(), bytes.size(), &sent) == 1) return static_cast<ssize_t>(sent);
        return would_block(0) ? 0 : -1;
    }

    // Several buffers in one system call (plain TCP); TLS takes the first.
    ssize_t send_gathered(const iovec *buffers, std::size_t count)
    {
        if (tls_ || count == 1)
            return send({static_cast<const char *>(buffers[0].iov_base), buffers[0].iov_len});
        msghdr message{};
        message.msg_iov = const_cast<iovec *>(buffers);
        message.msg_iovlen = count;
        ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
        if (sent < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
        return sent;
    }

    ssize_t receive(char *buffer, std::size_t size)
    {
        if (!tls_) {
            ssize_t got = ::recv(fd_, buffer, size, 0);
            if (got < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
            return got == 0 ? -1 : got;
        }
        std::size_t got = 0;
        if (SSL_read_ex(tls_.get(), buffer, size, &got) == 1) return static_cast<ssize_t>(got);
        return would_block(0) ? 0 : -1;
    }

private:
    struct ContextFree {
        void operator()(SSL_CTX *context) const { SSL_CTX_free(context); }
    };
    struct TlsFree {
        void operator()(SSL *tls) const { SSL_free(tls); }
    };

    bool would_block(int result) const
    {
        int error = SSL_get_error(tls_.get(), result);
        return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
    }

    static bool fail(const char *what)
    {
        unsigned long code = ERR_get_error();
        char detail[256] = "";
        if (code != 0) ERR_error_string_n(code, detail, sizeof(detail));
        std::fprintf(stderr, "im-msrp-client: %s%s%s\n", what, code ? ": " : "", detail);
        return false;
    }

    int fd_;
    std::unique_ptr<SSL_CTX, ContextFree> context_;
    std::unique_ptr<SSL, TlsFree> tls_;
};

// What waits to be written, as a queue of pieces: small frames (responses,
// REPORTs, chunk heads) are owned, chunk bodies are views of the message
// bytes. Written with one gathered write per call, consumed from the front
// without moving what follows.
class Outbox {
public:
    void append(std::string bytes)
    {
        if (bytes.empty()) return;
        bytes_ += bytes.size();
        // Consecutive small frames share a piece: fewer buffers per write.
        if (!pieces_.empty() && !pieces_.back().view_only() && pieces_.back().owned.size() < kCoalesceBytes) {
            pieces_.back().owned += bytes;
            return;
        }
        pieces_.push_back({std::move(bytes), nullptr, {}});
    }
    void append(ChunkWire chunk)
    {
        append(std::move(chunk.head));
        if (!chunk.body.empty()) {
            bytes_ += chunk.body.size();
            pieces_.push_back({{}, std::move(chunk.keep), chunk.body});
        }
        append(std::move(chunk.tail));
    }
    bool empty() const { return bytes_ == 0; }
    std::size_t size() const { return bytes_; }

    // Writes what it can; false when the connection is broken.
    bool write_to(Transport &transport)
    {
        iovec buffers[kMaxBuffers];
        std::size_t count = 0;
        for (std::size_t i = 0; i < pieces_.size() && count < kMaxBuffers; ++i, ++count) {
            std::string_view data = pieces_[i].data();
            if (i == 0) data.remove_prefix(front_offset_);
            buffers[count] = {const_cast<char *>(data.data()), data.size()};
        }
        if (count == 0) return true;
        ssize_t sent = transport.send_gathered(buffers, count);
        if (sent < 0) return false;
        consume(static_cast<std::size_t>(sent));
        return true;
    }

private:
    static constexpr std::size_t kCoalesceBytes = 4096;
    static constexpr std::size_t kMaxBuffers = 64;

    struct Piece {
        std::string owned;
        std::shared_ptr<const std::string> keep;  // what a view points into, when owned by the session
        std::string_view view;
        bool view_only() const { return owned.empty(); }
        std::string_view data() const { return view_only() ? view : std::string_view(owned); }
    };

    void consume(std::size_t sent)
    {
        bytes_ -= sent;
        while (sent > 0) {
            std::size_t left = pieces_.front().data().size() - front_offset_;
            if (sent < left) {
                front_offset_ += sent;
                return;
            }
            sent -= left;
            pieces_.pop_front();
            front_offset_ = 0;
        }
    }

    std::deque<Piece> pieces_;
    std::size_t front_offset_ = 0;  // of the first piece, already written
    std::size_t bytes_ = 0;
};

// A file's bytes, mapped read-only (nothing copied; pages come from the page
// cache as they are sent), or read whole when it cannot be mapped (a pipe).
class FileBytes {
public:
    explicit FileBytes(const std::string &name)
    {
        int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return;
        struct stat info {};
        if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && info.st_size > 0) {
            void *mapped = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
            if (mapped != MAP_FAILED) {
                ::madvise(mapped, static_cast<std::size_t>(info.st_size), MADV_SEQUENTIAL);
                mapped_ = {static_cast<const char *>(mapped), static_cast<std::size_t>(info.st_size)};
                ::close(fd);
                ok_ = true;
                return;
            }
        }
        char buffer[65536];
        ssize_t got;
        while ((got = ::read(fd, buffer, sizeof(buffer))) > 0) read_.append(buffer, static_cast<std::size_t>(got));
        ok_ = got == 0;
        ::close(fd);
    }
    FileBytes(const FileBytes &) = delete;
    FileBytes &operator=(const FileBytes &) = delete;
    ~FileBytes()
    {
        if (!mapped_.empty()) ::munmap(const_cast<char *>(mapped_.data()), mapped_.size());
    }
    bool ok() const { return ok_; }
    std::string_view bytes() const { return mapped_.empty() ? std::string_view(read_) : mapped_; }

private:
    bool ok_ = false;
    std::string_view mapped_;
    std::string read_;
};

// Splits standard input into lines as it arrives.
class LineReader {
public:
    // false at end of input
    bool read_available(std::vector<std::string> &lines)
    {
        char buffer[65536];
        ssize_t got = ::read(STDIN_FILENO, buffer, sizeof(buffer));
        if (got < 0) return errno == EINTR || errno == EAGAIN;
        if (got == 0) {
            if (!partial_.empty()) lines.push_back(std::exchange(partial_, {}));
            return false;
        }
        partial_.append(buffer, static_cast<std::size_t>(got));
        std::size_t start = 0;
        std::size_t newline;
        while ((newline = partial_.find('\n', start)) != std::string::npos) {
            lines.push_back(partial_.substr(start, newline - start));
            start = newline + 1;
        }
        partial_.erase(0, start);
        return true;
    }

private:
    std::string partial_;
};

// "in SEND to-path=... from-path=... message-id=... byte-range=...", "in 200 to-path=...".
std::string trace_line(const im::msrp::Frame &frame)
{
    std::string line = "in ";
    const im::msrp::HeaderFields *fields = nullptr;
    if (const auto *request = std::get_if<im::msrp::Request>(&frame)) {
        line += request->method + " to-path=" + im::msrp::to_string(request->to_path) +
                " from-path=" + im::msrp::to_string(request->from_path);
        fields = &request->fields;
    } else {
        const auto &response = std::get<im::msrp::Response>(frame);
        line += std::to_string(response.status_code) + " to-path=" + im::msrp::to_string(response.to_path) +
                " from-path=" + im::msrp::to_string(response.from_path);
        fields = &response.fields;
    }
    if (const auto *id = fields->find<im::msrp::MessageId>()) line += " message-id=" + id->value;
    if (const auto *range = fields->find<im::msrp::ByteRange>()) line += " byte-range=" + im::msrp::to_string(*range);
    if (const auto *status = fields->find<im::msrp::Status>()) line += " status=" + std::to_string(status->code);
    return escape_for_line(line);
}

// The path in the first line of file, once the file exists with a whole line.
std::optional<im::msrp::Result<im::msrp::Path>> read_path_file(const std::string &name)
{
    std::FILE *file = std::fopen(name.c_str(), "r");
    if (file == nullptr) return std::nullopt;
    char line[4096];
    bool got = std::fgets(line, sizeof(line), file) != nullptr;
    std::fclose(file);
    std::string_view text = got ? std::string_view(line) : std::string_view();
    if (text.empty() || text.back() != '\n') return std::nullopt;  // not written whole yet
    text.remove_suffix(1);
    return im::msrp::parse_path(text);
}

}  // namespace

int main(int argc, char **argv)
{
    auto parsed = parse_arguments(argc, argv);
    if (!parsed) {
        print_usage(stderr);
        return kExitUsage;
    }
    const Arguments &args = *parsed;
    auto path = args.to_path_file ? im::msrp::Result<im::msrp::Path>(im::msrp::Path{}) : im::msrp::parse_path(args.to_path);
    if (!path.ok()) {
        std::fprintf(stderr, "im-msrp-client: bad --to-path: %s\n", path.error().reason.c_str());
        return kExitUsage;
    }
    std::optional<im::msrp::Uri> relay;
    if (args.relay) {
        auto parsed_relay = im::msrp::parse_uri(*args.relay);
        if (!parsed_relay.ok()) {
            std::fprintf(stderr, "im-msrp-client: bad --relay: %s\n", parsed_relay.error().reason.c_str());
            return kExitUsage;
        }
        relay = parsed_relay.value();
    }
    std::optional<FileBytes> file_bytes;
    if (args.file) {
        file_bytes.emplace(*args.file);
        if (!file_bytes->ok()) {
            std::fprintf(stderr, "im-msrp-client: cannot read %s\n", args.file->c_str());
            return kExitUsage;
        }
    }
    std::FILE *output = nullptr;
    if (args.output && (output = std::fopen(args.output->c_str(), "wb")) == nullptr) {
        std::fprintf(stderr, "im-msrp-client: cannot write %s\n", args.output->c_str());
        return kExitUsage;
    }
    // Streamed chunks are small: gather them into large writes.
    if (output) std::setvbuf(output, nullptr, _IOFBF, 1024 * 1024);
    std::optional<FileBytes> expected_bytes;
    std::optional<PayloadVerifier> verifier;
    if (args.verify) {
        expected_bytes.emplace(*args.verify);
        if (!expected_bytes->ok()) {
            std::fprintf(stderr, "im-msrp-client: cannot read %s\n", args.verify->c_str());
            return kExitUsage;
        }
        verifier.emplace(expected_bytes->bytes());
    }

    std::random_device device;
    // The session-id (RFC 4975 14.1: hard to guess) comes from the device;
    // transaction and message ids, one or two per chunk, from an engine it
    // seeds: each draw from the device costs an RDSEED (a quarter of the
    // sending client's CPU on 1 KB messages when every id used it).
    im::msrp::RandomSource secure_random = [&device] { return (std::uint64_t{device()} << 32) | device(); };
    std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
    std::mt19937_64 engine(seed);
    im::msrp::RandomSource random = [&engine] { return engine(); };
    auto deadline = Clock::now() + std::chrono::seconds(args.timeout_seconds);
    // The first hop: the client's own relay, else the first URI of the path.
    if (!relay && args.to_path_file) {
        std::fprintf(stderr, "im-msrp-client: --to-path-file needs --relay (the first hop must be known)\n");
        return kExitUsage;
    }
    const im::msrp::Uri first_hop = relay ? *relay : path.value().front();
    Fd socket(connect_to(first_hop));
    if (socket.get() < 0) return 1;
    Transport transport(socket.get());
    if (first_hop.secure && !transport.start_tls(first_hop, args, deadline)) return 1;

    ClientOptions options{path.value(), local_uri(socket.get(), secure_random), args.chunk_size, args.success_report,
                          args.failure_report, relay, std::nullopt};
    // Large messages are written as they arrive, not held whole and written at the end.
    options.stream_output = output != nullptr || verifier.has_value();
    options.self.secure = first_hop.secure;
    options.accept_types = args.accept_types;
    options.await_to_path = args.to_path_file.has_value();
    if (args.to_path_file) {
        std::printf("self %s\n", im::msrp::to_string(options.self).c_str());
        std::fflush(stdout);
    }
    if (args.auth) {
        std::size_t colon = args.auth->find(':');
        options.credentials = DigestCredentials{args.auth->substr(0, colon), args.auth->substr(colon + 1)};
    }
    MsrpClientSession session(options, random);
    for (const std::string &text : args.texts) session.queue(args.content_type.value_or("text/plain"), text);
    // file_bytes outlives the session's use of it: both live to the end of main.
    if (args.file) session.queue_external(args.content_type.value_or("application/octet-stream"), file_bytes->bytes());

    Outbox outbox;
    outbox.append(session.binding_request());
    im::msrp::Parser parser;
    LineReader stdin_lines;
    bool stdin_open = args.from_stdin;
    std::vector<char> buffer(64 * 1024);

    auto done = [&] { return session.bound() && !stdin_open && session.settled() && session.received_count() >= args.expect; };
    while (!done() && !session.failed()) {
        if (Clock::now() >= deadline) {
            std::fprintf(stderr, "im-msrp-client: timed out (%zu of %zu messages received, %s)\n",
                         session.received_count(), args.expect,
                         session.settled() ? "all sent" : "sending not finished");
            return 1;
        }
        auto refill = [&] {
            while (outbox.size() < kOutboxHighWater) {
                auto chunk = session.next_chunk_wire();
                if (!chunk) break;
                outbox.append(std::move(*chunk));
            }
        };
        if (session.awaiting_to_path()) {
            if (auto far = read_path_file(*args.to_path_file)) {
                if (!far->ok()) {
                    std::fprintf(stderr, "im-msrp-client: bad path in %s: %s\n", args.to_path_file->c_str(),
                                 far->error().reason.c_str());
                    return kExitUsage;
                }
                outbox.append(session.set_to_path(far->value()));
            }
        }
        refill();
        pollfd fds[2] = {{socket.get(), static_cast<short>(POLLIN | (outbox.empty() ? 0 : POLLOUT)), 0},
                         {STDIN_FILENO, POLLIN, 0}};
        // Lines from stdin wait until the connection is bound.
        nfds_t count = stdin_open && session.bound() ? 2 : 1;
        if (::poll(fds, count, 100) < 0 && errno != EINTR) {
            std::perror("im-msrp-client: poll");
            return 1;
        }
        if (count == 2 && (fds[1].revents & (POLLIN | POLLHUP))) {
            std::vector<std::string> lines;
            stdin_open = stdin_lines.read_available(lines);
            for (std::string &line : lines) session.queue(args.content_type.value_or("text/plain"), std::move(line));
        }
        // Write, refill and write again while the socket takes it all: one
        // poll per socket-buffer-full rather than per write.
        for (int round = 0; (fds[0].revents & POLLOUT) && !outbox.empty() && round < 16; ++round) {
            std::size_t before = outbox.size();
            if (!outbox.write_to(transport)) {
                std::fprintf(stderr, "im-msrp-client: sending failed: the connection is broken\n");
                return 1;
            }
            if (!outbox.empty()) break;  // the socket is full
            refill();
            if (outbox.size() == before) break;
        }
        // TLS may hold decrypted bytes the socket no longer signals: read until it would block.
        while (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = transport.receive(buffer.data(), buffer.size());
            if (got < 0) {
                std::fprintf(stderr, "im-msrp-client: the relay closed the connection\n");
                return 1;
            }
            if (got == 0) break;
            std::vector<im::msrp::Frame> frames;
            bool intact = parser.feed({buffer.data(), static_cast<std::size_t>(got)}, frames);
            for (auto &frame : frames) {
                if (args.trace) std::printf("%s\n", trace_line(frame).c_str());
                ClientReaction reaction = session.on_frame(std::move(frame));
                outbox.append(std::move(reaction.bytes));
                for (const std::string &line : reaction.lines) std::printf("%s\n", line.c_str());
                if (output && reaction.output_discarded > 0) {
                    // An aborted streamed message: its bytes come off the end again.
                    std::fflush(output);
                    off_t end = ::lseek(::fileno(output), 0, SEEK_END) - static_cast<off_t>(reaction.output_discarded);
                    if (::ftruncate(::fileno(output), end) != 0 || std::fseek(output, end, SEEK_SET) != 0) {
                        std::fprintf(stderr, "im-msrp-client: cannot truncate the output\n");
                        return 1;
                    }
                }
                if (output) std::fwrite(reaction.output.data(), 1, reaction.output.size(), output);
                if (verifier) {
                    verifier->discard(reaction.output_discarded);
                    verifier->append(reaction.output);
                }
            }
            std::fflush(stdout);
            if (!intact) {
                std::fprintf(stderr, "im-msrp-client: malformed frame from the relay: %s\n",
                             parser.error()->reason.c_str());
                return 1;
            }
        }
    }
    // Responses and REPORTs still queued are owed to the far end.
    while (!outbox.empty()) {
        pollfd out{socket.get(), POLLOUT, 0};
        if (::poll(&out, 1, 1000) <= 0) break;
        if (!outbox.write_to(transport)) break;
    }
    if (output) std::fclose(output);
    if (verifier && !verifier->complete()) {
        if (auto at = verifier->mismatch())
            std::fprintf(stderr, "im-msrp-client: received bytes differ from %s at byte %llu\n", args.verify->c_str(),
                         static_cast<unsigned long long>(*at));
        else
            std::fprintf(stderr, "im-msrp-client: received %llu of the %llu bytes of %s\n",
                         static_cast<unsigned long long>(verifier->received()),
                         static_cast<unsigned long long>(verifier->expected_size()), args.verify->c_str());
        return 1;
    }
    return session.failed() ? 1 : 0;
}
