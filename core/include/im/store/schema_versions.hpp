#pragma once
// The table versions each module needs: one truth for the module glue, the
// tests and sql/<module>-create.sql (which must insert the same rows).
#include <array>

#include "im/store/schema.hpp"

namespace im::store {

inline constexpr std::array<TableVersion, 5> kParticipatingTables{{
    {"im_registration", 1, "im_participating"},
    {"im_service_settings", 1, "im_participating"},
    {"im_policy", 2, "im_participating"},
    {"im_access_rule", 1, "im_participating"},
    {"im_willingness", 1, "im_participating"},
}};

inline constexpr std::array<TableVersion, 4> kControllingTables{{
    {"im_group", 1, "im_controlling"},
    {"im_group_member", 1, "im_controlling"},
    {"im_conference", 1, "im_controlling"},
    {"im_conference_participant", 1, "im_controlling"},
}};

inline constexpr std::array<TableVersion, 1> kDeferredTables{{
    {"im_deferred_message", 1, "im_deferred"},
}};

inline constexpr std::array<TableVersion, 2> kHistoryTables{{
    {"im_history_conversation", 2, "im_history"},
    {"im_history_message", 1, "im_history"},
}};

}  // namespace im::store
