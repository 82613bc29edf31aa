// The relay's session logic under arbitrary MSRP input: after the first
// byte, the input is cut into pieces of 1 + 4 * first byte bytes, dealt to
// three connections in turn, parsed, and handed to the MsrpSwitch serving a relay
// session and a conference whose participant ids the input can name
// ("AAAA...", "BBBB..."). Every byte the switch sends must parse again, and
// CPIM bodies go through parse_cpim/restamp_cpim. RFC 4976 AUTH is offered
// (user alice, also over TCP) and one client has AUTHed on connection 1
// before the input starts, so requests can name its Use-Path (a predictable
// id, like the sessions'), be forwarded to an "outbound" connection (3) or
// back to it, and further AUTHs meet the Digest checks. Built only with the relay.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/parser.hpp"
#include "msrp_relay/cpim.hpp"
#include "im/msrp/serializer.hpp"
#include "msrp_relay/digest.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "msrp_relay/relay_auth.hpp"

namespace {

using namespace im::msrp_relay;

// Ids come from the random source: a constant one makes them predictable,
// so seeds can address the sessions (all 'A's; the registry retries on a
// collision with a counter-driven fallback).
im::msrp::RandomSource counting_random()
{
    auto counter = std::make_shared<std::uint64_t>(0);
    return [counter] { return (*counter)++ < 64 ? std::uint64_t{0} : *counter * 0x9E3779B97F4A7C15ull; };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    RelayAddress address{"127.0.0.1", 2855};
    SessionRegistry registry(counting_random(), RegistryLimits{16, 8});
    MsrpSwitch msrp_switch(registry, address, counting_random(), [] { return std::chrono::system_clock::time_point{}; });
    RegistryError error{};
    registry.create(SessionKind::relay, SteadyClock::now(), error);
    const Session *conference = registry.create(SessionKind::conference, SteadyClock::now(), error);
    std::string conference_id = conference->id;
    for (const char *identity : {"sip:a@example.com", "sip:b@example.com", "sip:c@example.com"})
        registry.add_participant(conference_id, identity, {"text/*", "message/cpim"}, identity[4] == 'c', error);

    AuthSettings auth_settings;
    auth_settings.realm = "fuzz";
    auth_settings.allow_plain_tcp = true;
    AuthUsers users;
    users.add_password("alice", "fuzz", "wonderland");
    RelayAuth auth(auth_settings, users, counting_random());
    msrp_switch.set_auth(&auth);
    msrp_switch.set_outbound([](const im::msrp::Uri &) { return ConnectionId{3}; });
    msrp_switch.set_secure(1);
    {
        im::msrp::Request login;
        login.transaction_id = "fuzzauth1";
        login.method = "AUTH";
        login.to_path = {address.uri_for("", false)};
        login.to_path.front().session_id.clear();
        login.from_path = {im::msrp::parse_uri("msrp://192.0.2.1:7001/client;tcp").value()};
        auto challenged = msrp_switch.on_frame(1, login, SteadyClock::now());
        std::vector<im::msrp::Frame> frames;
        im::msrp::Parser parser;
        parser.feed(challenged.at(0).bytes, frames);
        const auto &challenge = std::get<im::msrp::Response>(frames.at(0));
        auto parsed = parse_digest_challenge(*challenge.fields.find_header("WWW-Authenticate"));
        login.transaction_id = "fuzzauth2";
        login.fields.add("Authorization", authorization_header({"alice", "wonderland"}, *parsed, "AUTH",
                                                               im::msrp::to_string(login.to_path.front()), "cnonce"));
        msrp_switch.on_frame(1, login, SteadyClock::now());
    }

    if (size == 0) return 0;
    im::msrp::Parser parsers[3];
    std::string_view input(reinterpret_cast<const char *>(data) + 1, size - 1);
    const std::size_t piece_size = 1 + std::size_t{data[0]} * 4;
    ConnectionId connection = 3;
    while (!input.empty()) {
        connection = connection % 3 + 1;
        std::size_t piece = std::min(input.size(), piece_size);
        std::vector<im::msrp::Frame> frames;
        bool intact = parsers[connection - 1].feed(input.substr(0, piece), frames);
        input.remove_prefix(piece);
        for (auto &frame : frames) {
            for (Outgoing &out : msrp_switch.on_frame(connection, std::move(frame), SteadyClock::now())) {
                im::msrp::Parser check;
                std::vector<im::msrp::Frame> reparsed;
                if (!check.feed(out.bytes, reparsed) || !check.between_frames()) __builtin_trap();
            }
        }
        if (!intact) {
            // Like the relay: the connection goes, its participants are unbound.
            msrp_switch.on_connection_closed(connection);
            parsers[connection - 1] = im::msrp::Parser();
        }
    }
    if (auto cpim = parse_cpim(std::string_view(reinterpret_cast<const char *>(data), size))) {
        std::string restamped = restamp_cpim(*cpim, {"sip:a@example.com", "", "2026-01-01T00:00:00Z"});
        if (!parse_cpim(restamped)) __builtin_trap();
    }
    return 0;
}
