#include "im/relay/control_protocol.hpp"

#include <charconv>
#include <initializer_list>
#include <optional>
#include <system_error>

namespace im::relay {
namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

bool is_control_byte(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool needs_encoding(unsigned char c) { return is_control_byte(c) || c == ' ' || c == '=' || c == '%'; }

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

bool is_command_char(char c) { return is_key_char(c) && c != '.'; }

template <typename Unsigned>
bool parse_decimal(std::string_view text, Unsigned &out)
{
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

// The checks every line shares: strip the LF, bound the length, and refuse
// bytes that would let one line masquerade as two.
ParseOutcome<std::string_view> checked_line(std::string_view line)
{
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (line.size() > kMaxControlLineBytes) return ParseOutcome<std::string_view>::failure({"line too long"});
    for (char c : line) {
        if (is_control_byte(static_cast<unsigned char>(c)))
            return ParseOutcome<std::string_view>::failure({"control character in line"});
    }
    if (line.empty()) return ParseOutcome<std::string_view>::failure({"empty line"});
    return ParseOutcome<std::string_view>::success(line);
}

// Splits on single spaces; an empty token means a doubled, leading or trailing space.
ParseOutcome<std::vector<std::string_view>> split_tokens(std::string_view line)
{
    std::vector<std::string_view> tokens;
    std::size_t start = 0;
    while (true) {
        std::size_t space = line.find(' ', start);
        std::string_view token = line.substr(start, space == std::string_view::npos ? space : space - start);
        if (token.empty())
            return ParseOutcome<std::vector<std::string_view>>::failure(
                {"tokens must be separated by single spaces"});
        tokens.push_back(token);
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
    return ParseOutcome<std::vector<std::string_view>>::success(std::move(tokens));
}

ParseOutcome<ControlReply> parse_ok_reply(const std::vector<std::string_view> &tokens)
{
    ControlReply reply;
    for (std::size_t i = 1; i < tokens.size(); ++i) {
        std::string_view token = tokens[i];
        std::size_t eq = token.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return ParseOutcome<ControlReply>::failure({"field without key=value form"});
        std::string_view key = token.substr(0, eq);
        std::string_view encoded = token.substr(eq + 1);
        for (char c : key) {
            if (!is_key_char(c)) return ParseOutcome<ControlReply>::failure({"invalid character in field key"});
        }
        if (encoded.find('=') != std::string_view::npos)
            return ParseOutcome<ControlReply>::failure({"unencoded '=' in field value"});
        auto value = percent_decode(encoded);
        if (!value) return ParseOutcome<ControlReply>::failure(value.error());
        reply.fields.push_back({std::string(key), std::move(value.value())});
    }
    return ParseOutcome<ControlReply>::success(std::move(reply));
}

// "ERR <code> <text>": the text is the raw rest of the line, spaces included.
ParseOutcome<ControlReply> parse_err_reply(std::string_view line)
{
    std::string_view rest = line.substr(3);
    if (rest.size() < 4 || rest[0] != ' ')
        return ParseOutcome<ControlReply>::failure({"ERR without a three-digit code"});
    std::string_view code_text = rest.substr(1, 3);
    int code = 0;
    if (!parse_decimal(code_text, code) || code < 100 || code > 999)
        return ParseOutcome<ControlReply>::failure({"ERR without a three-digit code"});
    std::string_view text = rest.substr(4);
    if (!text.empty()) {
        if (text[0] != ' ') return ParseOutcome<ControlReply>::failure({"ERR without a three-digit code"});
        text.remove_prefix(1);
    }
    return ParseOutcome<ControlReply>::success(ControlReply::error(code, std::string(text)));
}

ControlReply answer_hello(const ControlRequest &request, std::string_view server_version)
{
    if (request.args.size() != 1)
        return ControlReply::error(kErrMalformed, "HELLO takes one argument: the protocol version");
    int version = 0;
    if (!parse_decimal(request.args[0], version))
        return ControlReply::error(kErrMalformed, "protocol version must be a decimal number");
    if (version != kControlProtocolVersion)
        return ControlReply::error(kErrVersionNotSupported, "protocol version " + request.args[0] +
                                                                " not supported (supported: " +
                                                                std::to_string(kControlProtocolVersion) + ")");
    return ControlReply::success({{"protocol", std::to_string(kControlProtocolVersion)},
                                  {"server", "im-msrp-relay/" + std::string(server_version)}});
}

}  // namespace

ControlReply ControlReply::success(std::vector<ControlField> fields)
{
    ControlReply reply;
    reply.fields = std::move(fields);
    return reply;
}

ControlReply ControlReply::error(int code, std::string text)
{
    ControlReply reply;
    reply.ok = false;
    reply.error_code = code;
    reply.error_text = std::move(text);
    return reply;
}

const std::string *ControlReply::find(std::string_view key) const
{
    for (const auto &field : fields) {
        if (field.key == key) return &field.value;
    }
    return nullptr;
}

std::string percent_encode(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        auto byte = static_cast<unsigned char>(c);
        if (needs_encoding(byte)) {
            out.push_back('%');
            out.push_back(kHexDigits[byte >> 4]);
            out.push_back(kHexDigits[byte & 0x0f]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

ParseOutcome<std::string> percent_decode(std::string_view encoded)
{
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '%') {
            out.push_back(encoded[i]);
            continue;
        }
        int high = i + 1 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
        int low = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
        if (high < 0 || low < 0) return ParseOutcome<std::string>::failure({"bad percent-encoding"});
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return ParseOutcome<std::string>::success(std::move(out));
}

ParseOutcome<ControlRequest> parse_request(std::string_view line)
{
    auto checked = checked_line(line);
    if (!checked) return ParseOutcome<ControlRequest>::failure(checked.error());
    auto tokens = split_tokens(checked.value());
    if (!tokens) return ParseOutcome<ControlRequest>::failure(tokens.error());

    ControlRequest request;
    request.command = std::string(tokens.value().front());
    for (char c : request.command) {
        if (!is_command_char(c)) return ParseOutcome<ControlRequest>::failure({"malformed command"});
    }
    for (std::size_t i = 1; i < tokens.value().size(); ++i) {
        auto arg = percent_decode(tokens.value()[i]);
        if (!arg) return ParseOutcome<ControlRequest>::failure(arg.error());
        request.args.push_back(std::move(arg.value()));
    }
    return ParseOutcome<ControlRequest>::success(std::move(request));
}

ParseOutcome<ControlReply> parse_reply(std::string_view line)
{
    auto checked = checked_line(line);
    if (!checked) return ParseOutcome<ControlReply>::failure(checked.error());
    std::string_view body = checked.value();
    if (body == "ERR" || body.starts_with("ERR ")) return parse_err_reply(body);

    auto tokens = split_tokens(body);
    if (!tokens) return ParseOutcome<ControlReply>::failure(tokens.error());
    if (tokens.value().front() != "OK")
        return ParseOutcome<ControlReply>::failure({"reply must start with OK or ERR"});
    return parse_ok_reply(tokens.value());
}

std::string serialize_request(const ControlRequest &request)
{
    std::string line = request.command;
    for (const auto &arg : request.args) {
        line.push_back(' ');
        line += percent_encode(arg);
    }
    line.push_back('\n');
    return line;
}

std::string serialize_reply(const ControlReply &reply)
{
    std::string line;
    if (reply.ok) {
        line = "OK";
        for (const auto &field : reply.fields) {
            line.push_back(' ');
            line += field.key;
            line.push_back('=');
            line += percent_encode(field.value);
        }
    } else {
        line = "ERR " + std::to_string(reply.error_code);
        if (!reply.error_text.empty()) {
            line.push_back(' ');
            for (char c : reply.error_text)
                line.push_back(is_control_byte(static_cast<unsigned char>(c)) ? ' ' : c);
        }
    }
    line.push_back('\n');
    return line;
}

ControlReply status_reply(const RelayStatus &status)
{
    auto reply = ControlReply::success({
        {"protocol", std::to_string(kControlProtocolVersion)},
        {"uptime", std::to_string(status.uptime_seconds)},
        {"connections", std::to_string(status.connections)},
        {"sessions", std::to_string(status.sessions)},
        {"bytes_in", std::to_string(status.bytes_in)},
        {"bytes_out", std::to_string(status.bytes_out)},
        {"listen", status.listen},
        {"messages_in", std::to_string(status.messages_in)},
        {"messages_out", std::to_string(status.messages_out)},
    });
    for (const auto &[key, value] : status.counters) reply.fields.push_back({key, std::to_string(value)});
    return reply;
}

ParseOutcome<RelayStatus> read_status(const ControlReply &reply)
{
    if (!reply.ok)
        return ParseOutcome<RelayStatus>::failure(
            {"relay answered ERR " + std::to_string(reply.error_code) + " " + reply.error_text});

    RelayStatus status;
    auto number = [&reply](std::string_view key, auto &out) {
        const std::string *value = reply.find(key);
        return value != nullptr && parse_decimal(*value, out);
    };
    for (auto [key, ok] : {
             std::pair{"uptime", number("uptime", status.uptime_seconds)},
             std::pair{"connections", number("connections", status.connections)},
             std::pair{"sessions", number("sessions", status.sessions)},
             std::pair{"bytes_in", number("bytes_in", status.bytes_in)},
             std::pair{"bytes_out", number("bytes_out", status.bytes_out)},
         }) {
        if (!ok) return ParseOutcome<RelayStatus>::failure({std::string("STATUS reply lacks a numeric ") + key});
    }
    for (auto [key, out] : {std::pair{"messages_in", &status.messages_in}, std::pair{"messages_out", &status.messages_out}}) {
        const std::string *value = reply.find(key);
        if (value != nullptr && !parse_decimal(*value, *out))
            return ParseOutcome<RelayStatus>::failure({std::string("STATUS reply has a non-numeric ") + key});
    }
    for (const auto &field : reply.fields) {
        std::uint64_t count = 0;
        if (field.key.find('.') != std::string::npos && parse_decimal(field.value, count))
            status.counters.emplace_back(field.key, count);
    }
    const std::string *listen = reply.find("listen");
    if (listen == nullptr) return ParseOutcome<RelayStatus>::failure({"STATUS reply lacks listen"});
    status.listen = *listen;
    return ParseOutcome<RelayStatus>::success(std::move(status));
}

ControlRequest session_create_request(std::string_view kind)
{
    return {"SESSION_CREATE", {std::string(kind)}};
}

ControlRequest add_participant_request(std::string_view session, std::string_view identity,
                                       std::string_view accept_types, bool anonymous)
{
    return {"SESSION_ADD_PARTICIPANT",
            {std::string(session), std::string(identity), std::string(accept_types), anonymous ? "anonymous" : "public"}};
}

ControlRequest remove_participant_request(std::string_view session, std::string_view participant)
{
    return {"SESSION_REMOVE_PARTICIPANT", {std::string(session), std::string(participant)}};
}

ControlRequest session_delete_request(std::string_view session) { return {"SESSION_DELETE", {std::string(session)}}; }

ControlRequest session_list_request(std::string_view after)
{
    if (after.empty()) return {"SESSION_LIST", {}};
    return {"SESSION_LIST", {std::string(after)}};
}

namespace {

// Copies the named fields into their targets; the first missing one is the error.
std::optional<ParseError> read_fields(const ControlReply &reply, std::string_view what,
                                      std::initializer_list<std::pair<std::string_view, std::string *>> required,
                                      std::initializer_list<std::pair<std::string_view, std::string *>> optional = {})
{
    if (!reply.ok)
        return ParseError{"relay answered ERR " + std::to_string(reply.error_code) + " " + reply.error_text};
    for (auto [key, out] : required) {
        const std::string *value = reply.find(key);
        if (value == nullptr || value->empty()) return ParseError{std::string(what) + " reply lacks " + std::string(key)};
        *out = *value;
    }
    for (auto [key, out] : optional) {
        if (const std::string *value = reply.find(key)) *out = *value;
    }
    return std::nullopt;
}

}  // namespace

ParseOutcome<CreatedSession> read_created_session(const ControlReply &reply)
{
    CreatedSession created;
    auto problem = read_fields(reply, "SESSION_CREATE", {{"session", &created.session}, {"kind", &created.kind}});
    if (!problem && created.kind == "relay")
        problem = read_fields(reply, "SESSION_CREATE",
                              {{"path_a", &created.path_a},
                               {"path_b", &created.path_b},
                               {"participant_a", &created.participant_a},
                               {"participant_b", &created.participant_b}},
                              {{"path_a_tls", &created.path_a_tls}, {"path_b_tls", &created.path_b_tls}});
    if (problem) return ParseOutcome<CreatedSession>::failure(*problem);
    return ParseOutcome<CreatedSession>::success(std::move(created));
}

ParseOutcome<AddedParticipant> read_added_participant(const ControlReply &reply)
{
    AddedParticipant added;
    auto problem = read_fields(reply, "SESSION_ADD_PARTICIPANT",
                               {{"session", &added.session}, {"participant", &added.participant}, {"path", &added.path}},
                               {{"path_tls", &added.path_tls}});
    if (problem) return ParseOutcome<AddedParticipant>::failure(*problem);
    return ParseOutcome<AddedParticipant>::success(std::move(added));
}

ParseOutcome<SessionListPage> read_session_list(const ControlReply &reply)
{
    if (!reply.ok)
        return ParseOutcome<SessionListPage>::failure(
            {"relay answered ERR " + std::to_string(reply.error_code) + " " + reply.error_text});
    const std::string *sessions = reply.find("sessions");
    if (sessions == nullptr) return ParseOutcome<SessionListPage>::failure({"SESSION_LIST reply lacks sessions"});
    SessionListPage page;
    std::string_view rest = *sessions;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        if (comma != 0) page.sessions.emplace_back(rest.substr(0, comma));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (const std::string *next = reply.find("next"); next != nullptr && !next->empty()) page.next = *next;
    return ParseOutcome<SessionListPage>::success(std::move(page));
}

ControlReply answer_request(const ControlRequest &request, std::string_view server_version,
                            const RelayStatus &status)
{
    if (request.command == "HELLO") return answer_hello(request, server_version);
    if (request.command == "STATUS") {
        if (!request.args.empty()) return ControlReply::error(kErrMalformed, "STATUS takes no arguments");
        return status_reply(status);
    }
    if (request.command == "PING") {
        if (!request.args.empty()) return ControlReply::error(kErrMalformed, "PING takes no arguments");
        return ControlReply::success();
    }
    return ControlReply::error(kErrUnknownCommand, "unknown command");
}

ControlReply answer_line(std::string_view line, std::string_view server_version, const RelayStatus &status)
{
    auto request = parse_request(line);
    if (!request) return ControlReply::error(kErrMalformed, request.error().text);
    return answer_request(request.value(), server_version, status);
}

}  // namespace im::relay
