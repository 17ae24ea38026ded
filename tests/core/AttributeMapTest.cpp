#include <sluice/channel/ChannelInboundHandler.h>
#include <sluice/channel/embedded/EmbeddedChannel.h>
#include <sluice/util/AttributeMap.h>

#include <memory>
#include <string>

#include "support/SluiceTest.h"

namespace sluice {
namespace {

const AttributeKey<std::string> kUser{"user"};
const AttributeKey<int> kScore{"score"};
const AttributeKey<std::unique_ptr<int>> kOwned{"owned"};

class AttributeMapTest : public testing::SluiceTest {};

TEST_F(AttributeMapTest, EachKeyHasItsOwnTypedSlot) {
  AttributeMap map;
  EXPECT_FALSE(map.hasAttr(kUser));
  EXPECT_EQ(map.attr(kUser).get(), nullptr);
  map.attr(kUser).set("ada");
  map.attr(kScore).set(3);
  EXPECT_TRUE(map.hasAttr(kUser));
  EXPECT_EQ(*map.attr(kUser).get(), "ada");
  EXPECT_EQ(*map.attr(kScore).get(), 3);
  EXPECT_EQ(&map.attr(kUser), &map.attr(kUser));  // a stable slot
  EXPECT_EQ(kUser.name(), "user");
}

TEST_F(AttributeMapTest, SlotOperationsBehaveLikeNettys) {
  AttributeMap map;
  Attribute<int>& a = map.attr(kScore);
  EXPECT_EQ(a.setIfAbsent(1), 1);
  EXPECT_EQ(a.setIfAbsent(2), 1);
  EXPECT_EQ(a.getAndSet(5), 1);
  EXPECT_EQ(a.getAndRemove(), 5);
  EXPECT_FALSE(a.isSet());
  EXPECT_FALSE(map.hasAttr(kScore));
}

TEST_F(AttributeMapTest, HoldsMoveOnlyValues) {
  AttributeMap map;
  map.attr(kOwned).set(std::make_unique<int>(9));
  EXPECT_EQ(**map.attr(kOwned).get(), 9);
}

TEST_F(AttributeMapTest, ContextAttributesAreTheChannels) {
  struct Tagger : ChannelInboundHandler {
    void handlerAdded(ChannelHandlerContext& ctx) override { ctx.attr(kUser).set("from ctx"); }
  };
  EmbeddedChannel ch(std::make_unique<Tagger>());
  EXPECT_EQ(*ch.attr(kUser).get(), "from ctx");
}

}  // namespace
}  // namespace sluice
