#include "im/participating/media_anchor.hpp"

#include <vector>

#include "im/msrp/uri.hpp"
#include "im/sip/sdp.hpp"
#include "im/sip/text.hpp"
#include "im/xml/multipart.hpp"

namespace im::participating {
namespace {

using xml::ErrorKind;
using xml::make_error;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string_view> lines_of(std::string_view text)
{
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

// What an anchored MSRP stream says about where to connect.
struct RelayEnd {
    std::string path;        // the relay URI, as the relay handed it out
    std::string connection;  // "c=" line value
    std::string port;
    std::string protocol;
};

xml::Result<RelayEnd> relay_end_of(std::string_view relay_path)
{
    auto uri = msrp::parse_uri(sip::trim(relay_path));
    if (!uri.ok() || !uri.value().port || uri.value().session_id.empty() || uri.value().host.empty())
        return make_error(ErrorKind::invalid, "the relay path is not one MSRP URI with port and session id");
    const msrp::Uri &u = uri.value();
    RelayEnd end;
    end.path = std::string(sip::trim(relay_path));
    if (u.host.front() == '[')
        end.connection = "IN IP6 " + u.host.substr(1, u.host.size() - 2);
    else
        end.connection = "IN IP4 " + u.host;
    end.port = std::to_string(*u.port);
    end.protocol = u.secure ? "TCP/TLS/MSRP" : "TCP/MSRP";
    return end;
}

// An m= line that anchoring takes over: MSRP message media, not declined.
bool anchored_media(const std::vector<std::string_view> &m)
{
    return m.size() >= 4 && m[0] == "message" && m[1] != "0"
           && (sip::iequals(m[2], "TCP/MSRP") || sip::iequals(m[2], "TCP/TLS/MSRP"));
}

}  // namespace

xml::Result<std::string> anchor_sdp(std::string_view sdp, std::string_view relay_path)
{
    auto relay = relay_end_of(relay_path);
    if (!relay.ok()) return relay.error();
    if (auto parsed = sip::parse_sdp(sdp); !parsed.ok()) return parsed.error();

    std::string out;
    out.reserve(sdp.size() + 2 * relay.value().path.size() + 64);
    auto emit = [&out](std::string_view line) {
        out.append(line);
        out.append("\r\n");
    };
    bool anchoring = false;  // inside an m= section being anchored
    bool connection_due = false;  // its c= line is still to be written
    auto finish_section = [&] {
        if (!anchoring) return;
        if (connection_due) emit("c=" + relay.value().connection);
        emit("a=path:" + relay.value().path);
        emit("a=setup:passive");
        anchoring = connection_due = false;
    };
    for (std::string_view line : lines_of(sdp)) {
        if (line.empty()) continue;
        if (starts_with(line, "m=")) {
            finish_section();
            auto m = sip::words(line.substr(2));
            if (anchored_media(m)) {
                std::string rewritten = "m=message " + relay.value().port + " " + relay.value().protocol;
                for (std::size_t i = 3; i < m.size(); ++i) (rewritten += ' ') += m[i];
                emit(rewritten);
                anchoring = connection_due = true;
                continue;
            }
            emit(line);
            continue;
        }
        if (anchoring) {
            // RFC 4566 5: i= comes before c=, everything else after it.
            if (connection_due && !starts_with(line, "i=")) {
                emit("c=" + relay.value().connection);
                connection_due = false;
            }
            if (starts_with(line, "c=") || starts_with(line, "a=path:") || starts_with(line, "a=setup:")) continue;
        }
        emit(line);
    }
    finish_section();
    return out;
}

xml::Result<std::optional<BodyEdit>> anchor_session_body(std::string_view content_type, std::string_view body,
                                                          std::string_view relay_path)
{
    if (sip::trim(body).empty()) return std::optional<BodyEdit>{};
    const std::string type = xml::media_type_of(content_type);
    std::string_view sdp;
    std::size_t offset = 0;
    if (type == "application/sdp") {
        sdp = body;
    } else if (type == "multipart/mixed") {
        auto parts = xml::split_multipart(content_type, body);
        if (!parts.ok()) return parts.error();
        for (const auto &part : parts.value()) {
            if (part.media_type() != "application/sdp" || part.body.empty()) continue;
            // The part's bytes are a copy of a stretch of the body: find it
            // there, so only that stretch is replaced.
            offset = body.find(part.body);
            if (offset == std::string_view::npos)
                return make_error(ErrorKind::malformed, "the application/sdp part is not found in the body");
            sdp = body.substr(offset, part.body.size());
            break;
        }
        if (sdp.empty()) return std::optional<BodyEdit>{};
    } else {
        return std::optional<BodyEdit>{};
    }
    auto anchored = anchor_sdp(sdp, relay_path);
    if (!anchored.ok()) return anchored.error();
    return std::optional<BodyEdit>{BodyEdit{offset, sdp.size(), std::move(anchored).value()}};
}

}  // namespace im::participating
