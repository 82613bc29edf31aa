#include "msrp_relay/session_commands.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "im/msrp/syntax.hpp"

namespace im::msrp_relay {
namespace {

im::relay::ControlReply bad_accept_types_reply()
{
    return im::relay::ControlReply::error(im::relay::kErrMalformed, "accept-types must be *, type/* or type/subtype, comma-separated");
}

// The endpoint and recorder commands need the relay's message store.
im::relay::ControlReply no_store_reply()
{
    return im::relay::ControlReply::error(im::relay::kErrUnavailable, "no store: set store_database");
}

using im::relay::ControlField;
using im::relay::ControlReply;
using im::relay::ControlRequest;

ControlReply registry_error(RegistryError error)
{
    int code = im::relay::kErrNotFound;
    if (error == RegistryError::wrong_kind) code = im::relay::kErrConflict;
    if (error == RegistryError::too_many_sessions || error == RegistryError::too_many_participants)
        code = im::relay::kErrUnavailable;
    return ControlReply::error(code, std::string(describe(error)));
}

// "*", "type/*" or "type/subtype", comma-separated.
std::optional<std::vector<std::string>> parse_accept_types(std::string_view text)
{
    std::vector<std::string> types;
    while (true) {
        std::size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        std::size_t slash = item.find('/');
        bool valid = item == "*" || (slash != std::string_view::npos && im::msrp::syntax::is_token(item.substr(0, slash)) &&
                                     (item.substr(slash + 1) == "*" || im::msrp::syntax::is_token(item.substr(slash + 1))));
        if (!valid) return std::nullopt;
        types.emplace_back(item);
        if (comma == std::string_view::npos) return types;
        text.remove_prefix(comma + 1);
    }
}

bool has_control_characters(std::string_view text)
{
    return std::ranges::any_of(text, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string join(const std::vector<std::string> &items)
{
    std::string joined;
    for (const std::string &item : items) {
        if (!joined.empty()) joined.push_back(',');
        joined += item;
    }
    return joined;
}

}  // namespace

SessionCommands::SessionCommands(SessionRegistry &sessions, const RelayAddress &address,
                                 std::function<SteadyClock::time_point()> now)
    : sessions_(sessions), address_(address), now_(std::move(now))
{
}

void SessionCommands::attach(MsrpSwitch &msrp_switch, std::function<void(std::vector<Outgoing>)> deliver)
{
    switch_ = &msrp_switch;
    deliver_ = std::move(deliver);
}

std::optional<ControlReply> SessionCommands::answer(const ControlRequest &request)
{
    const std::string &command = request.command;
    if (command == "SESSION_CREATE" && !request.args.empty() && request.args[0] == "endpoint")
        return create_endpoint(request);
    if (command == "SESSION_CREATE") return create(request);
    if (command == "SESSION_ADD_RECORDER") return add_recorder(request);
    if (command == "SESSION_SEND_STORED") return send_stored(request);
    if (command == "SESSION_STORED") return list_stored(request);
    if (command == "SESSION_ADD_PARTICIPANT") return add_participant(request);
    if (command == "SESSION_REMOVE_PARTICIPANT") return remove_participant(request);
    if (command == "SESSION_DELETE") return remove(request);
    if (command == "SESSION_LIST") return list(request);
    if (command == "SESSION_SHOW") return show(request);
    return std::nullopt;
}

ControlReply SessionCommands::create(const ControlRequest &request)
{
    if (request.args.size() != 1)
        return ControlReply::error(im::relay::kErrMalformed,
                                   "SESSION_CREATE takes relay, conference or endpoint <owner> [<accept-types> [<peer-identity>]]");
    auto kind = parse_session_kind(request.args[0]);
    if (!kind || *kind == SessionKind::endpoint)
        return ControlReply::error(im::relay::kErrMalformed, "session kind must be relay, conference or endpoint");
    RegistryError error{};
    const Session *session = sessions_.create(*kind, now_(), error);
    if (session == nullptr) return registry_error(error);

    std::vector<ControlField> fields{{"session", session->id}, {"kind", std::string(session_kind_name(*kind))}};
    if (*kind == SessionKind::relay) {
        const Participant &a = session->participants[0];
        const Participant &b = session->participants[1];
        fields.push_back({"path_a", address_.path_for(a.id)});
        fields.push_back({"path_b", address_.path_for(b.id)});
        fields.push_back({"participant_a", a.id});
        fields.push_back({"participant_b", b.id});
        if (address_.tls_port) {
            fields.push_back({"path_a_tls", address_.path_for(a.id, true)});
            fields.push_back({"path_b_tls", address_.path_for(b.id, true)});
        }
    }
    return ControlReply::success(std::move(fields));
}

ControlReply SessionCommands::create_endpoint(const ControlRequest &request)
{
    const auto &args = request.args;
    if (args.size() < 2 || args.size() > 4)
        return ControlReply::error(im::relay::kErrMalformed,
                                   "SESSION_CREATE endpoint takes <owner> [<accept-types> [<peer-identity>]]");
    if (!has_store()) return no_store_reply();
    if (args[1].empty() || has_control_characters(args[1]) || (args.size() == 4 && has_control_characters(args[3])))
        return ControlReply::error(im::relay::kErrMalformed, "owner and identity must be non-empty text without control characters");
    std::vector<std::string> accept_types{"*"};
    if (args.size() >= 3) {
        auto parsed = parse_accept_types(args[2]);
        if (!parsed) return bad_accept_types_reply();
        accept_types = std::move(*parsed);
    }
    RegistryError error{};
    const Session *created = sessions_.create(SessionKind::endpoint, now_(), error);
    if (created == nullptr) return registry_error(error);
    Session &session = *sessions_.find(created->id);
    session.owner = args[1];
    if (args.size() == 4) session.peer_identity = args[3];
    Participant &peer = session.participants.front();
    peer.accept_types = std::move(accept_types);
    auto reply = ControlReply::success({{"session", session.id},
                                        {"kind", "endpoint"},
                                        {"participant", peer.id},
                                        {"path", address_.path_for(peer.id)}});
    if (address_.tls_port) reply.fields.push_back({"path_tls", address_.path_for(peer.id, true)});
    return reply;
}

ControlReply SessionCommands::add_recorder(const ControlRequest &request)
{
    const auto &args = request.args;
    if (args.size() != 2)
        return ControlReply::error(im::relay::kErrMalformed, "SESSION_ADD_RECORDER takes <session> <owner>");
    if (!has_store()) return no_store_reply();
    if (args[1].empty() || has_control_characters(args[1]))
        return ControlReply::error(im::relay::kErrMalformed, "owner must be non-empty text without control characters");
    RegistryError error{};
    const Participant *recorder = sessions_.add_recorder(args[0], args[1], error);
    if (recorder == nullptr) return registry_error(error);
    return ControlReply::success({{"session", args[0]}, {"recorder", recorder->id}});
}

ControlReply SessionCommands::send_stored(const ControlRequest &request)
{
    const auto &args = request.args;
    if (args.size() != 2)
        return ControlReply::error(im::relay::kErrMalformed, "SESSION_SEND_STORED takes <session> <id>[,<id>...]");
    if (!has_store()) return no_store_reply();
    Session *session = sessions_.find(args[0]);
    if (session == nullptr) return registry_error(RegistryError::no_session);
    if (session->kind != SessionKind::endpoint)
        return ControlReply::error(im::relay::kErrConflict, "only an endpoint session sends stored messages");
    std::vector<im::msrp::StoredMessage> messages;
    std::string_view ids = args[1];
    std::uint64_t bytes = 0;
    while (!ids.empty()) {
        std::size_t comma = ids.find(',');
        std::string_view item = ids.substr(0, comma);
        ids.remove_prefix(comma == std::string_view::npos ? ids.size() : comma + 1);
        std::int64_t id = 0;
        auto [end, problem] = std::from_chars(item.data(), item.data() + item.size(), id);
        if (problem != std::errc() || end != item.data() + item.size() || id < 1)
            return ControlReply::error(im::relay::kErrMalformed, "stored message ids are positive numbers");
        if (messages.size() >= kMaxSendStored)
            return ControlReply::error(im::relay::kErrMalformed,
                                       "at most " + std::to_string(kMaxSendStored) + " ids per command");
        auto found = switch_->store()->find(id);
        if (!found.ok()) return ControlReply::error(im::relay::kErrUnavailable, "store: " + found.error().reason);
        if (!found.value()) return ControlReply::error(im::relay::kErrNotFound, "no stored message " + std::string(item));
        bytes += found.value()->body.size();
        messages.push_back(std::move(*found.value()));
    }
    if (messages.empty()) return ControlReply::error(im::relay::kErrMalformed, "no stored message id");
    bool bound = session->participants.front().bound();
    if (deliver_) deliver_(switch_->send_stored(*session, messages, now_()));
    return ControlReply::success({{"session", session->id},
                                  {"queued", std::to_string(messages.size())},
                                  {"bytes", std::to_string(bytes)},
                                  {"peer", bound ? "bound" : "waiting"}});
}

ControlReply SessionCommands::list_stored(const ControlRequest &request)
{
    if (request.args.size() != 1)
        return ControlReply::error(im::relay::kErrMalformed, "SESSION_STORED takes <session>");
    if (!has_store()) return no_store_reply();
    auto rows = switch_->store()->list_session(request.args[0]);
    if (!rows.ok()) return ControlReply::error(im::relay::kErrUnavailable, "store: " + rows.error().reason);
    std::vector<std::string> ids;
    for (const im::msrp::StoredMessage &row : rows.value()) {
        if (ids.size() >= kSessionListPage) break;
        ids.push_back(std::to_string(row.id));
    }
    return ControlReply::success({{"session", request.args[0]},
                                  {"count", std::to_string(rows.value().size())},
                                  {"ids", join(ids)}});
}

ControlReply SessionCommands::add_participant(const ControlRequest &request)
{
    const auto &args = request.args;
    if (args.size() < 2 || args.size() > 4)
        return ControlReply::error(im::relay::kErrMalformed,
                                   "SESSION_ADD_PARTICIPANT takes <session> <identity> [<accept-types> [public|anonymous]]");
    std::vector<std::string> accept_types;
    if (args.size() >= 3) {
        auto parsed = parse_accept_types(args[2]);
        if (!parsed) return bad_accept_types_reply();
        accept_types = std::move(*parsed);
    }
    bool anonymous = false;
    if (args.size() == 4) {
        if (args[3] != "public" && args[3] != "anonymous")
            return ControlReply::error(im::relay::kErrMalformed, "privacy must be public or anonymous");
        anonymous = args[3] == "anonymous";
    }
    // The identity ends up in CPIM headers: one line, no CR or LF (the codec refuses control bytes).
    for (char c : args[1]) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return ControlReply::error(im::relay::kErrMalformed, "identity must not contain control characters");
    }
    RegistryError error{};
    const Participant *participant = sessions_.add_participant(args[0], args[1], std::move(accept_types), anonymous, error);
    if (participant == nullptr) return registry_error(error);
    auto reply = ControlReply::success({{"session", args[0]},
                                        {"participant", participant->id},
                                        {"path", address_.path_for(participant->id)}});
    if (address_.tls_port) reply.fields.push_back({"path_tls", address_.path_for(participant->id, true)});
    return reply;
}

ControlReply SessionCommands::remove_participant(const ControlRequest &request)
{
    if (request.args.size() != 2)
        return ControlReply::error(im::relay::kErrMalformed,
                                   "SESSION_REMOVE_PARTICIPANT takes <session> <participant>");
    if (auto error = sessions_.remove_participant(request.args[0], request.args[1])) return registry_error(*error);
    return ControlReply::success({{"session", request.args[0]}, {"participant", request.args[1]}});
}

ControlReply SessionCommands::remove(const ControlRequest &request)
{
    if (request.args.size() != 1)
        return ControlReply::error(im::relay::kErrMalformed, "SESSION_DELETE takes one argument: the session id");
    if (!sessions_.remove(request.args[0])) return registry_error(RegistryError::no_session);
    return ControlReply::success({{"session", request.args[0]}});
}

ControlReply SessionCommands::list(const ControlRequest &request)
{
    if (request.args.size() > 1)
        return ControlReply::error(im::relay::kErrMalformed, "SESSION_LIST takes at most one argument: the id to start after");
    const auto &all = sessions_.sessions();
    auto it = request.args.empty() ? all.begin() : all.upper_bound(request.args[0]);
    std::vector<std::string> page;
    for (; it != all.end() && page.size() < kSessionListPage; ++it) page.push_back(it->first);
    std::vector<ControlField> fields{{"count", std::to_string(all.size())}, {"sessions", join(page)}};
    if (it != all.end()) fields.push_back({"next", page.back()});
    return ControlReply::success(std::move(fields));
}

ControlReply SessionCommands::show(const ControlRequest &request)
{
    if (request.args.empty() || request.args.size() > 2)
        return ControlReply::error(im::relay::kErrMalformed, "SESSION_SHOW takes <session> [<participant>]");
    Session *session = sessions_.find(request.args[0]);
    if (session == nullptr) return registry_error(RegistryError::no_session);

    if (request.args.size() == 2) {
        Participant *participant = session->find(request.args[1]);
        if (participant == nullptr) return registry_error(RegistryError::no_participant);
        return ControlReply::success({
            {"session", session->id},
            {"participant", participant->id},
            {"path", address_.path_for(participant->id)},
            {"identity", participant->identity},
            {"privacy", participant->anonymous ? "anonymous" : "public"},
            {"accept_types", join(participant->accept_types)},
            {"bound", participant->bound() ? "1" : "0"},
            {"role", participant->recorder ? "recorder" : "participant"},
            {"peer_path", im::msrp::to_string(participant->peer_path)},
        });
    }
    auto idle = std::chrono::duration_cast<std::chrono::seconds>(now_() - session->last_activity).count();
    std::vector<std::string> ids;
    for (const Participant &participant : session->participants) ids.push_back(participant.id);
    std::vector<ControlField> fields{
        {"session", session->id},
        {"kind", std::string(session_kind_name(session->kind))},
        {"idle", std::to_string(idle)},
        {"participants", std::to_string(session->participants.size())},
        {"bound", std::to_string(session->bound_count())},
        {"ids", join(ids)},
    };
    // Only where something is stored, so relay and conference replies stay as they were.
    if (session->kind == SessionKind::endpoint || session->stored > 0) {
        fields.push_back({"stored", std::to_string(session->stored)});
        fields.push_back({"pushed", std::to_string(session->pushed)});
    }
    if (session->kind == SessionKind::endpoint) fields.push_back({"owner", session->owner});
    return ControlReply::success(std::move(fields));
}

}  // namespace im::msrp_relay
