#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "im/sip/feature_tag.hpp"

using im::sip::accept_contact_has;

namespace {
bool has(std::vector<std::string_view> bodies) { return accept_contact_has(bodies, "+g.oma.sip-im"); }
}  // namespace

TEST(FeatureTag, FoundInAnyFormRfc3841Allows)
{
    EXPECT_TRUE(has({"*;+g.oma.sip-im"}));
    EXPECT_TRUE(has({"*;+g.oma.sip-im;explicit"}));
    EXPECT_TRUE(has({"*;require;+G.OMA.SIP-IM"}));
    EXPECT_TRUE(has({"*;+g.3gpp.icsi-ref=\"x,y\", *;+g.oma.sip-im"}));
    EXPECT_TRUE(has({"*;audio", "*;+g.oma.sip-im=\"TRUE\""}));
}

TEST(FeatureTag, AbsentOrOnlySimilar)
{
    EXPECT_FALSE(has({}));
    EXPECT_FALSE(has({""}));
    EXPECT_FALSE(has({"*;+g.oma.sip-imx"}));
    EXPECT_FALSE(has({"*;+g.poc.talkburst"}));
    EXPECT_FALSE(has({"*;description=\"+g.oma.sip-im\""}));  // inside a quoted value
    EXPECT_FALSE(has({"+g.oma.sip-im"}));                    // the ac-value itself, not a parameter
}
