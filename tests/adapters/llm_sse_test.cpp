// llm_sse_test.cpp — the incremental server-sent events parser and the streamed-completion
// decoder on the recorded stream, split at every byte position: what comes out must not depend
// on where the network cut the bytes.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/llm/openai_wire.hpp"
#include "adapters/llm/sse_parser.hpp"
#include "protocol/errors.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::llm {
namespace {

std::string fixture(const std::string& name) {
  auto text = testing::read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/llm/"
                                      + name);
  EXPECT_TRUE(text) << name;
  return text.value_or("");
}

std::vector<sse_event> parse_in_pieces(const std::string& bytes, size_t piece) {
  sse_parser p;
  std::vector<sse_event> out;
  for (size_t i = 0; i < bytes.size(); i += piece)
    for (auto& ev : p.feed(std::string_view{bytes}.substr(i, piece)))
      out.push_back(std::move(ev));
  for (auto& ev : p.finish())
    out.push_back(std::move(ev));
  return out;
}

TEST(sse_parser, events_end_at_blank_lines_and_join_data_lines) {
  sse_parser p;
  auto evs = p.feed("data: one\n\ndata: two\ndata:three\n\nevent: ping\ndata: x\n\n");
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].data, "one");
  EXPECT_EQ(evs[1].data, "two\nthree");   // one space after the colon is dropped, not more
  EXPECT_EQ(evs[2].name, "ping");
  EXPECT_EQ(evs[2].data, "x");
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(sse_parser, nothing_comes_out_before_the_blank_line) {
  sse_parser p;
  EXPECT_TRUE(p.feed("data: {\"a\":").empty());
  EXPECT_TRUE(p.feed("1}\n").empty());
  auto evs = p.feed("\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data, "{\"a\":1}");
}

TEST(sse_parser, comments_other_fields_and_empty_events_are_skipped) {
  sse_parser p;
  auto evs = p.feed(": keep-alive\n\nid: 7\nretry: 100\n\ndata\n\n");
  ASSERT_EQ(evs.size(), 1u);   // "data" with no colon is a data line with an empty value
  EXPECT_EQ(evs[0].data, "");
}

TEST(sse_parser, crlf_and_cr_line_ends_count_once_even_when_split) {
  sse_parser p;
  std::vector<sse_event> evs;
  for (auto piece : {"data: a\r", "\n\r", "\ndata: b\r\r"})
    for (auto& ev : p.feed(piece))
      evs.push_back(ev);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].data, "a");
  EXPECT_EQ(evs[1].data, "b");
}

TEST(sse_parser, finish_dispatches_an_unterminated_last_event) {
  sse_parser p;
  EXPECT_TRUE(p.feed("data: [DONE]").empty());
  auto evs = p.finish();
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].data, "[DONE]");
  EXPECT_TRUE(p.finish().empty());
}

TEST(sse_parser, the_recorded_stream_parses_the_same_at_every_split) {
  auto bytes = fixture("stream_chunks.sse");
  auto whole = parse_in_pieces(bytes, bytes.size());
  ASSERT_EQ(whole.size(), 7u);
  EXPECT_EQ(whole.back().data, "[DONE]");
  for (size_t piece = 1; piece < 64; ++piece)
    EXPECT_EQ(parse_in_pieces(bytes, piece), whole) << "pieces of " << piece << " bytes";
}

TEST(chat_stream_decoder, deltas_reassemble_at_every_split_position) {
  auto bytes = fixture("stream_chunks.sse");
  const std::string expected = "Here are two blue kurtas under ₹1,500 — want the first one?";
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    chat_stream_decoder d;
    std::string joined;
    std::string_view all{bytes};
    for (auto part : {all.substr(0, cut), all.substr(cut)}) {
      auto deltas = d.feed(part);
      ASSERT_TRUE(deltas) << protocol::describe(deltas.error());
      for (const auto& x : *deltas)
        joined += x;
    }
    auto reply = d.finish();
    ASSERT_TRUE(reply) << protocol::describe(reply.error());
    EXPECT_EQ(joined, expected) << "cut at " << cut;
    EXPECT_EQ(reply->content, expected);
    EXPECT_EQ(reply->finish_reason, "stop");
    EXPECT_TRUE(d.done_seen());
  }
}

TEST(chat_stream_decoder, streamed_tool_call_fragments_join_by_index) {
  chat_stream_decoder d;
  auto ok = d.feed(
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":"
    "{\"name\":\"search\",\"arguments\":\"{\\\"colour\\\":\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
    "{\"arguments\":\"\\\"Red\\\"}\"}}]}}]}\n\n"
    "data: [DONE]\n\n");
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->empty());
  auto reply = d.finish();
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->tool_calls.size(), 1u);
  EXPECT_EQ(reply->tool_calls[0].name, "search");
  EXPECT_EQ(reply->tool_calls[0].arguments, "{\"colour\":\"Red\"}");
}

TEST(chat_stream_decoder, a_broken_event_or_an_empty_stream_is_an_error) {
  chat_stream_decoder broken;
  auto r = broken.feed("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: {oops\n\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(protocol::errc_of(r.error()), protocol::errc::agent_error);

  chat_stream_decoder error_event;
  auto e = error_event.feed("data: {\"error\":{\"message\":\"overloaded\"}}\n\n");
  ASSERT_FALSE(e);
  EXPECT_NE(protocol::describe(e.error()).find("overloaded"), std::string::npos);

  chat_stream_decoder empty;
  ASSERT_TRUE(empty.feed(": nothing but a comment\n\n"));
  EXPECT_FALSE(empty.finish());
}

}  // namespace
}  // namespace cartmate::llm
