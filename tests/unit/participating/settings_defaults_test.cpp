// Appendix E defaults over what a user published.
#include <gtest/gtest.h>

#include <optional>

#include "im/participating/settings_defaults.hpp"
#include "im/store/memory_settings_store.hpp"

namespace {

using im::participating::effective;
using im::participating::EffectiveSettings;
using im::store::PublishedSettings;
using im::store::ServiceSettings;

// Appendix E: barring off, offline delivery off, visible, history off.
constexpr EffectiveSettings kAppendixEDefaults{
    .isb = false, .ipab = false, .offline_delivery = false, .visible = true, .hist = false};

PublishedSettings published(const ServiceSettings &settings)
{
    return PublishedSettings{"sip:alice@example.com", "0000000000000001", 1000, 0, "<poc-settings/>", settings};
}

TEST(SettingsDefaults, AUserWhoPublishedNothingGetsTheAppendixEDefaults)
{
    EXPECT_EQ(effective(std::optional<PublishedSettings>{}), kAppendixEDefaults);
    EXPECT_EQ(EffectiveSettings{}, kAppendixEDefaults);
}

TEST(SettingsDefaults, APublicationWithoutTheElementsGetsTheDefaults)
{
    EXPECT_EQ(effective(std::optional(published(ServiceSettings{}))), kAppendixEDefaults);
}

TEST(SettingsDefaults, EveryPublishedValueOverridesItsDefault)
{
    const ServiceSettings opposite{.isb_active = true, .ipab_active = true, .offline_delivery = true,
                                   .vis_status = false, .hist_active = true};
    EXPECT_EQ(effective(std::optional(published(opposite))),
              (EffectiveSettings{.isb = true, .ipab = true, .offline_delivery = true, .visible = false, .hist = true}));
}

TEST(SettingsDefaults, PublishedValuesEqualToTheDefaultsChangeNothing)
{
    const ServiceSettings same{false, false, false, true, false};
    EXPECT_EQ(effective(same), kAppendixEDefaults);
}

TEST(SettingsDefaults, EachSettingIsTakenOnItsOwn)
{
    EXPECT_EQ(effective(ServiceSettings{.isb_active = true}), (EffectiveSettings{.isb = true}));
    EXPECT_EQ(effective(ServiceSettings{.ipab_active = true}), (EffectiveSettings{.ipab = true}));
    EXPECT_EQ(effective(ServiceSettings{.offline_delivery = true}), (EffectiveSettings{.offline_delivery = true}));
    EXPECT_EQ(effective(ServiceSettings{.vis_status = false}), (EffectiveSettings{.visible = false}));
    EXPECT_EQ(effective(ServiceSettings{.hist_active = true}), (EffectiveSettings{.hist = true}));
}

// The spec's E.1.2 example: session barring on, pager allowed, invisible,
// no history, offline delivery on.
TEST(SettingsDefaults, TheAppendixEExampleDocument)
{
    const ServiceSettings example{.isb_active = true, .ipab_active = false, .offline_delivery = true,
                                  .vis_status = false, .hist_active = false};
    EXPECT_EQ(effective(example), (EffectiveSettings{.isb = true, .ipab = false, .offline_delivery = true,
                                                      .visible = false, .hist = false}));
}

TEST(SettingsDefaults, AnExpiredPublicationFallsBackToTheDefaults)
{
    im::store::MemorySettingsStore store;
    store.publish_initial("sip:alice@example.com", "<poc-settings/>", ServiceSettings{.isb_active = true}, 1000, 0);
    EXPECT_TRUE(effective(store.find_active("sip:alice@example.com", 999)).isb);
    EXPECT_EQ(effective(store.find_active("sip:alice@example.com", 1000)), kAppendixEDefaults);
}

}  // namespace
