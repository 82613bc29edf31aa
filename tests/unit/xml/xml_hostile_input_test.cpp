// The classic XML attacks against every document parser: entity expansion,
// external entities and DTDs (file and network), XInclude. Each must be
// refused or ignored without touching a file or opening a connection.
#include <gtest/gtest.h>

#include "xml/xml_test_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "im/xml/document.hpp"
#include "im/xml/group_advertisement.hpp"
#include "im/xml/resource_lists.hpp"
#include "im/xml/service_settings.hpp"

using im::xml::Error;
using im::xml::ErrorKind;

namespace {

using im::xml::testing::cpu_milliseconds_to;
using im::xml::testing::kSlowdown;

// A file holding a secret, watched with inotify: opened() tells whether
// anything opened or read it since the probe was made.
class WatchedSecretFile {
public:
    WatchedSecretFile()
    {
        std::string pattern = (std::filesystem::temp_directory_path() / "im-xml-secret-XXXXXX").string();
        const int fd = ::mkstemp(pattern.data());
        if (fd < 0) ADD_FAILURE() << "mkstemp failed";
        else ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << kSecret;
        inotify_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (inotify_ < 0 || ::inotify_add_watch(inotify_, path_.c_str(), IN_OPEN | IN_ACCESS) < 0)
            ADD_FAILURE() << "inotify unavailable";
    }
    WatchedSecretFile(const WatchedSecretFile &) = delete;
    WatchedSecretFile &operator=(const WatchedSecretFile &) = delete;
    ~WatchedSecretFile()
    {
        if (inotify_ >= 0) ::close(inotify_);
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }

    std::string url() const { return "file://" + path_.string(); }
    const std::filesystem::path &path() const { return path_; }
    bool opened() const
    {
        alignas(inotify_event) char events[4096];
        return ::read(inotify_, events, sizeof events) > 0;
    }

    static constexpr std::string_view kSecret = "TOP-SECRET-7f3a";

private:
    std::filesystem::path path_;
    int inotify_ = -1;
};

// A listening loopback socket: connected() tells whether anybody connected.
class ListeningSocket {
public:
    ListeningSocket()
    {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
            ::listen(fd_, 8) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            ADD_FAILURE() << "cannot listen on loopback";
        port_ = ntohs(address.sin_port);
    }
    ListeningSocket(const ListeningSocket &) = delete;
    ListeningSocket &operator=(const ListeningSocket &) = delete;
    ~ListeningSocket()
    {
        if (fd_ >= 0) ::close(fd_);
    }

    std::string url(std::string_view path) const
    {
        return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
    }
    bool connected() const
    {
        const int peer = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (peer < 0) return false;
        ::close(peer);
        return true;
    }

private:
    int fd_ = -1;
    int port_ = 0;
};

// One parser under attack: its root element, a document body with `ref`
// where text goes, and the parse reduced to "error or not".
struct Target {
    std::string name;
    std::string root;
    std::function<std::string(std::string_view ref)> document;
    std::function<std::optional<Error>(std::string_view bytes)> parse;
};

template <typename ResultT>
std::optional<Error> error_of(const ResultT &result)
{
    if (result) return std::nullopt;
    return result.error();
}

std::vector<Target> targets()
{
    return {
        {"document", "r", [](std::string_view ref) { return "<r>" + std::string(ref) + "</r>"; },
         [](std::string_view bytes) { return error_of(im::xml::Document::parse(bytes)); }},
        {"resource-lists", "resource-lists",
         [](std::string_view ref) {
             return "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list>"
                    "<entry uri=\"sip:a@example.com\"><display-name>" +
                    std::string(ref) + "</display-name></entry></list></resource-lists>";
         },
         [](std::string_view bytes) { return error_of(im::xml::parse_resource_lists(bytes)); }},
        {"poc-settings", "poc-settings",
         [](std::string_view ref) {
             return "<poc-settings xmlns=\"urn:ietf:params:xml:ns:poc-settings\"><entity id=\"e\">" +
                    std::string(ref) + "</entity></poc-settings>";
         },
         [](std::string_view bytes) { return error_of(im::xml::parse_service_settings(bytes)); }},
        {"group-advertisement", "group-advertisement",
         [](std::string_view ref) {
             return "<group-advertisement xmlns=\"urn:oma:params:xml:ns:IM:group-advertisement\"><note>" +
                    std::string(ref) + "</note><group><uri>sip:g@example.com</uri></group></group-advertisement>";
         },
         [](std::string_view bytes) { return error_of(im::xml::parse_group_advertisement(bytes)); }},
    };
}

std::string billion_laughs(const Target &target)
{
    std::string dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE " + target.root + " [\n <!ENTITY lol0 \"lol\">\n";
    for (int i = 1; i <= 9; ++i) {
        dtd += " <!ENTITY lol" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) dtd += "&lol" + std::to_string(i - 1) + ";";
        dtd += "\">\n";
    }
    return dtd + "]>\n" + target.document("&lol9;");
}

long max_rss_kb()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

void expect_dtd_refused(const Target &target, const std::string &attack)
{
    SCOPED_TRACE(target.name);
    const auto error = target.parse(attack);
    ASSERT_TRUE(error) << attack;
    EXPECT_EQ(error->kind, ErrorKind::not_allowed);
    EXPECT_EQ(error->reason, "DTD not allowed");
}

}  // namespace

TEST(XmlHostileInput, EveryTargetParsesItsCleanDocument)
{
    for (const auto &target : targets()) EXPECT_FALSE(target.parse(target.document("text"))) << target.name;
}

TEST(XmlHostileInput, BillionLaughsIsRefusedQuicklyWithLittleMemory)
{
    for (const auto &target : targets()) {
        const auto rss_before = max_rss_kb();
        const double ms = cpu_milliseconds_to([&] { expect_dtd_refused(target, billion_laughs(target)); });
        EXPECT_LT(ms, 50.0 * kSlowdown) << target.name;
        EXPECT_LT(max_rss_kb() - rss_before, 8 * 1024) << target.name;  // expanded, it would be ~3 GB
    }
}

TEST(XmlHostileInput, QuadraticBlowupEntityIsRefused)
{
    for (const auto &target : targets()) {
        const std::string big(50'000, 'a');
        std::string refs;
        for (int i = 0; i < 1000; ++i) refs += "&big;";
        expect_dtd_refused(target, "<!DOCTYPE " + target.root + " [<!ENTITY big \"" + big + "\">]>" +
                                       target.document(refs));
    }
}

TEST(XmlHostileInput, ExternalEntitiesAreNeitherReadNorFetched)
{
    WatchedSecretFile secret;
    ListeningSocket server;
    for (const auto &target : targets()) {
        const std::string root = target.root;
        const std::vector<std::string> attacks = {
            "<!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM \"" + secret.url() + "\">]>" + target.document("&xxe;"),
            "<!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM \"" + secret.path().string() + "\">]>" +
                target.document("&xxe;"),
            "<!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + target.document("&xxe;"),
            "<!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM \"" + server.url("/xxe") + "\">]>" +
                target.document("&xxe;"),
            "<!DOCTYPE " + root + " SYSTEM \"" + server.url("/evil.dtd") + "\">" + target.document("&xxe;"),
            "<!DOCTYPE " + root + " PUBLIC \"-//X//Y\" \"" + secret.url() + "\">" + target.document("x"),
            "<!DOCTYPE " + root + " [<!ENTITY % p SYSTEM \"" + server.url("/p.dtd") + "\"> %p;]>" +
                target.document("x"),
            "<?xml version=\"1.0\"?><!-- hello --><!DOCTYPE " + root + " [<!ENTITY xxe SYSTEM \"" + secret.url() +
                "\">]>" + target.document("&xxe;"),
            "\xEF\xBB\xBF <!DOCTYPE " + root + ">" + target.document("x"),
        };
        for (const auto &attack : attacks) expect_dtd_refused(target, attack);
    }
    EXPECT_FALSE(secret.opened());
    EXPECT_FALSE(server.connected());
}

TEST(XmlHostileInput, EntityReferenceWithoutDeclarationIsMalformed)
{
    for (const auto &target : targets()) {
        const auto error = target.parse(target.document("&xxe;"));
        ASSERT_TRUE(error) << target.name;
        EXPECT_EQ(error->kind, ErrorKind::malformed) << target.name;
    }
}

TEST(XmlHostileInput, XIncludeIsNotProcessed)
{
    WatchedSecretFile secret;
    ListeningSocket server;
    const std::string include = "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"" + secret.url() +
                                "\" parse=\"text\"/><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
                                "href=\"" +
                                server.url("/inc") + "\"/>";
    // In the resource list the include sits where foreign elements are ignored.
    auto list = im::xml::parse_resource_lists(
        "<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\"><list>" + include +
        "<entry uri=\"sip:a@example.com\"/></list></resource-lists>");
    ASSERT_TRUE(list) << list.error().reason;
    ASSERT_EQ(list->entries.size(), 1u);
    EXPECT_EQ(list->entries[0].uri, "sip:a@example.com");

    auto doc = im::xml::Document::parse("<r>" + include + "</r>");
    ASSERT_TRUE(doc);
    const xmlNode *first = im::xml::first_child(doc->root(), "http://www.w3.org/2001/XInclude", "include");
    ASSERT_NE(first, nullptr);  // still the include element, not the file's text
    EXPECT_EQ(im::xml::text_of(doc->root()).find(WatchedSecretFile::kSecret), std::string::npos);

    for (const auto &target : targets()) (void)target.parse(target.document(include));
    EXPECT_FALSE(secret.opened());
    EXPECT_FALSE(server.connected());
}
