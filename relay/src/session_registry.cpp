#include "msrp_relay/session_registry.hpp"

#include <algorithm>

namespace im::msrp_relay {
namespace {

constexpr std::size_t kSessionIdLength = 16;
// Participant ids are capabilities (whoever knows one may send into the
// session), so they get more randomness than session ids: 20 chars, ~119 bits.
constexpr std::size_t kParticipantIdLength = 20;

bool iequals(std::string_view a, std::string_view b)
{
    return std::ranges::equal(a, b, [](char x, char y) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

// "text/plain; charset=utf-8" -> "text/plain"
std::string_view bare_media_type(std::string_view content_type)
{
    std::string_view type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    return type;
}

}  // namespace

std::optional<SessionKind> parse_session_kind(std::string_view name)
{
    if (name == "relay") return SessionKind::relay;
    if (name == "conference") return SessionKind::conference;
    if (name == "endpoint") return SessionKind::endpoint;
    return std::nullopt;
}

std::string_view session_kind_name(SessionKind kind)
{
    switch (kind) {
    case SessionKind::relay: return "relay";
    case SessionKind::conference: return "conference";
    case SessionKind::endpoint: return "endpoint";
    }
    return "unknown";
}

std::string_view describe(RegistryError error)
{
    switch (error) {
    case RegistryError::no_session: return "no such session";
    case RegistryError::no_participant: return "no such participant";
    case RegistryError::wrong_kind: return "only a conference takes participants and recorders";
    case RegistryError::too_many_sessions: return "session limit reached";
    case RegistryError::too_many_participants: return "participant limit reached";
    }
    return "error";
}

bool Participant::accepts(std::string_view content_type) const { return media_type_accepted(accept_types, content_type); }

bool media_type_accepted(const std::vector<std::string> &accept_types, std::string_view content_type)
{
    std::string_view type = bare_media_type(content_type);
    std::string_view major = type.substr(0, type.find('/'));
    return std::ranges::any_of(accept_types, [&](const std::string &accepted) {
        if (accepted == "*" || accepted == "*/*") return true;
        if (accepted.ends_with("/*")) return iequals(std::string_view(accepted).substr(0, accepted.size() - 2), major);
        return iequals(accepted, type);
    });
}

Participant *Session::find(std::string_view participant_id)
{
    auto it = std::ranges::find(participants, participant_id, &Participant::id);
    return it == participants.end() ? nullptr : &*it;
}

std::size_t Session::bound_count() const
{
    return static_cast<std::size_t>(std::ranges::count_if(participants, &Participant::bound));
}

SessionRegistry::SessionRegistry(im::msrp::RandomSource random, RegistryLimits limits)
    : random_(std::move(random)), limits_(limits)
{
}

std::string SessionRegistry::fresh_id(std::size_t length)
{
    while (true) {
        std::string id = im::msrp::random_alphanumeric(length, random_);
        if (!sessions_.contains(id) && !session_of_participant_.contains(id)) return id;
    }
}

const Session *SessionRegistry::create(SessionKind kind, SteadyClock::time_point now, RegistryError &error)
{
    if (sessions_.size() >= limits_.max_sessions) {
        error = RegistryError::too_many_sessions;
        return nullptr;
    }
    Session session;
    session.id = fresh_id(kSessionIdLength);
    session.kind = kind;
    session.last_activity = now;
    if (kind == SessionKind::relay || kind == SessionKind::endpoint) {
        // A relay session has its two sides; an endpoint session its one peer.
        for (int side = 0; side < (kind == SessionKind::relay ? 2 : 1); ++side) {
            Participant leg;
            leg.id = fresh_id(kParticipantIdLength);
            session_of_participant_.emplace(leg.id, session.id);
            session.participants.push_back(std::move(leg));
        }
    }
    auto [it, inserted] = sessions_.emplace(session.id, std::move(session));
    return &it->second;
}

const Participant *SessionRegistry::add_participant(std::string_view session_id, std::string identity,
                                                    std::vector<std::string> accept_types, bool anonymous,
                                                    RegistryError &error)
{
    Session *session = find(session_id);
    if (session == nullptr) {
        error = RegistryError::no_session;
        return nullptr;
    }
    if (session->kind != SessionKind::conference) {
        error = RegistryError::wrong_kind;
        return nullptr;
    }
    if (session->participants.size() >= limits_.max_participants) {
        error = RegistryError::too_many_participants;
        return nullptr;
    }
    Participant participant;
    participant.id = fresh_id(kParticipantIdLength);
    participant.identity = std::move(identity);
    participant.anonymous = anonymous;
    if (!accept_types.empty()) participant.accept_types = std::move(accept_types);
    session_of_participant_.emplace(participant.id, session->id);
    session->participants.push_back(std::move(participant));
    return &session->participants.back();
}

const Participant *SessionRegistry::add_recorder(std::string_view session_id, std::string owner, RegistryError &error)
{
    const Participant *added = add_participant(session_id, std::move(owner), {}, false, error);
    if (added == nullptr) return nullptr;
    Participant &recorder = find(session_id)->participants.back();
    recorder.recorder = true;
    recorder.accept_types.clear();  // never a receiver
    return &recorder;
}

std::optional<RegistryError> SessionRegistry::remove_participant(std::string_view session_id,
                                                                 std::string_view participant_id)
{
    Session *session = find(session_id);
    if (session == nullptr) return RegistryError::no_session;
    if (session->kind != SessionKind::conference) return RegistryError::wrong_kind;
    auto it = std::ranges::find(session->participants, participant_id, &Participant::id);
    if (it == session->participants.end()) return RegistryError::no_participant;
    session_of_participant_.erase(it->id);
    session->participants.erase(it);
    return std::nullopt;
}

bool SessionRegistry::remove(std::string_view session_id)
{
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) return false;
    for (const Participant &participant : it->second.participants) session_of_participant_.erase(participant.id);
    sessions_.erase(it);
    return true;
}

Session *SessionRegistry::find(std::string_view session_id)
{
    auto it = sessions_.find(session_id);
    return it == sessions_.end() ? nullptr : &it->second;
}

std::optional<SessionRegistry::Leg> SessionRegistry::find_leg(std::string_view participant_id)
{
    auto owner = session_of_participant_.find(participant_id);
    if (owner == session_of_participant_.end()) return std::nullopt;
    Session *session = find(owner->second);
    if (session == nullptr) return std::nullopt;
    Participant *participant = session->find(participant_id);
    if (participant == nullptr) return std::nullopt;
    return Leg{session, participant};
}

std::size_t SessionRegistry::unbind(ConnectionId connection)
{
    std::size_t count = 0;
    for (auto &[id, session] : sessions_) {
        for (Participant &participant : session.participants) {
            if (participant.connection != connection) continue;
            participant.connection = 0;
            participant.peer_path.clear();
            participant.bound_uri = {};
            ++count;
        }
    }
    return count;
}

bool SessionRegistry::binds(ConnectionId connection) const
{
    for (const auto &[id, session] : sessions_) {
        for (const Participant &participant : session.participants) {
            if (participant.connection == connection) return true;
        }
    }
    return false;
}

std::vector<std::string> SessionRegistry::expire(SteadyClock::time_point now, SteadyClock::duration idle)
{
    std::vector<std::string> expired;
    for (const auto &[id, session] : sessions_) {
        if (now - session.last_activity >= idle) expired.push_back(id);
    }
    for (const std::string &id : expired) remove(id);
    return expired;
}

}  // namespace im::msrp_relay
