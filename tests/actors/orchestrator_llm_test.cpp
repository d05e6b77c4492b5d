// orchestrator_llm_test.cpp — the orchestrator with a model (llm.provider openai) on the
// deterministic scheduler: the model's plan is used when it answers in time; a failing,
// invalid or slow model leaves the turn to the offline understanding inside the deadline and
// moves the fallback counter; a late answer is dropped; streamed reply phrasing sends partial
// events before the final one, and the built-in text wins when the stream fails. The model is a
// scripted chat_client answered from the test thread with recorded OpenAI answers (the HTTP
// path itself is covered by llm_client_test against a real server).
#include "actors/orchestrator/orchestrator_agent.hpp"

#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "adapters/llm/llm_settings.hpp"
#include "adapters/llm/llm_understanding.hpp"
#include "adapters/llm/openai_wire.hpp"
#include "adapters/llm/reply_phraser.hpp"
#include "protocol/errors.hpp"
#include "tests/actors/orchestrator_test_agents.hpp"
#include "tests/runtime/caf_test_fixture.hpp"
#include "tests/support/fixture_http_server.hpp"

namespace cartmate::testing {
namespace {

using namespace std::chrono_literals;
using protocol::errc;

std::string fixture(const std::string& name) {
  auto text = read_text_file(std::string{CARTMATE_SOURCE_DIR} + "/tests/fixtures/llm/" + name);
  EXPECT_TRUE(text) << name;
  return text.value_or("");
}

/// A chat client whose calls wait until the test answers them (on the test's thread).
struct scripted_chat final : llm::chat_client {
  struct call {
    llm::chat_request req;
    bool streamed = false;
    llm::delta_callback on_delta;
    llm::reply_callback done;
  };
  std::vector<call> calls;

  void complete(llm::chat_request req, llm::reply_callback done) override {
    calls.push_back(call{std::move(req), false, {}, std::move(done)});
  }
  void stream(llm::chat_request req, llm::delta_callback on_delta,
              llm::reply_callback done) override {
    calls.push_back(call{std::move(req), true, std::move(on_delta), std::move(done)});
  }
};

/// The events of each turn in arrival order, partial events included.
struct recorded {
  std::vector<std::string> sequence;   // "partial", "final", "summary", ...
  std::vector<std::string> partials;
  std::vector<protocol::final_event> finals;
  std::vector<protocol::turn_summary> summaries;
};

caf::actor spawn_recorder(caf::actor_system& sys, caf::actor orchestrator,
                          std::shared_ptr<recorded> log) {
  return sys.spawn([orchestrator, log](caf::event_based_actor* self) -> caf::behavior {
    return {
      [self, orchestrator, log](protocol::user_turn& turn) {
        self->request(orchestrator, caf::infinite, std::move(turn))
          .then([log](protocol::turn_summary& s) {
            log->sequence.push_back("summary");
            log->summaries.push_back(std::move(s));
          });
      },
      [log](const protocol::partial_event& ev) {
        log->sequence.push_back("partial");
        log->partials.push_back(ev.text);
      },
      [log](const protocol::final_event& ev) {
        log->sequence.push_back("final");
        log->finals.push_back(ev);
      },
      [](const protocol::thinking_event&) {},
      [](const protocol::delegation_event&) {},
      [](const protocol::products_event&) {},
      [](const protocol::cart_event&) {},
      [](const protocol::error_event&) {},
    };
  });
}

struct orchestrator_llm_test : runtime_fixture {
  std::shared_ptr<agent_log> agents = std::make_shared<agent_log>();
  std::shared_ptr<recorded> events = std::make_shared<recorded>();
  std::shared_ptr<const index::product_index> idx;
  std::unique_ptr<runtime::resilience_context> ctx;
  std::shared_ptr<scripted_chat> chat = std::make_shared<scripted_chat>();
  caf::actor discovery;
  caf::actor cart;
  caf::actor orchestrator;
  caf::actor client;
  uint64_t next_turn = 1;

  orchestrator_llm_test() {
    auto built = index::product_index::build(test_catalog(), size_t{64});
    EXPECT_TRUE(built) << protocol::describe(built.error());
    idx = std::make_shared<const index::product_index>(std::move(*built));
    runtime::call_policy policy;
    policy.attempt_timeout = 100ms;
    policy.max_attempts = 2;
    policy.backoff = runtime::backoff_policy{10ms, 40ms, 2.0, 0.0};
    policy.default_deadline = 1000ms;
    ctx = std::make_unique<runtime::resilience_context>(directory, breakers, metrics, timer,
                                                        policy);
    discovery = spawn_test_discovery(sys, idx, agents);
    cart = spawn_test_cart(sys, idx, agents);
    directory.add(protocol::agent_kind::product_discovery,
                  runtime::agent_replica{discovery, "t", true});
    directory.add(protocol::agent_kind::cart, runtime::agent_replica{cart, "t", true});
  }

  ~orchestrator_llm_test() override {
    for (auto* a : {&discovery, &cart, &orchestrator, &client})
      if (*a)
        caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  void start(bool with_model, bool with_phrasing) {
    orchestrator::orchestrator_deps deps;
    deps.contexts.store = nullptr;
    deps.resilience = ctx.get();
    deps.understanding = orchestrator::make_offline_understanding(test_catalog());
    deps.metrics = &metrics;
    deps.turn_deadline = 5000ms;
    deps.model_timeout = 1500ms;
    if (with_model) {
      llm::llm_settings s;
      std::string root = CARTMATE_SOURCE_DIR;
      s.system_prompt_file = root + "/config/llm/understanding_prompt.txt";
      s.tools_file = root + "/config/llm/understanding_tools.json";
      auto prompts = llm::load_llm_prompts(s);
      EXPECT_TRUE(prompts) << protocol::describe(prompts.error());
      deps.model = std::make_shared<const llm::llm_understanding>(chat, *prompts, 0.0);
    }
    if (with_phrasing)
      deps.phraser = std::make_shared<const llm::reply_phraser>(chat, "Rephrase the facts.", 0.0);
    orchestrator = orchestrator::spawn_orchestrator_agent(sys, deps);
    client = spawn_recorder(sys, orchestrator, events);
    sched.run();
  }

  void send(std::string text) {
    protocol::user_turn turn;
    turn.env.tenant = "shop";
    turn.env.user = "u-1";
    turn.env.session = "s-1";
    turn.env.turn_id = next_turn++;
    turn.env.trace_id = "trace-" + std::to_string(turn.env.turn_id);
    turn.input = protocol::turn_input::message;
    turn.text = std::move(text);
    caf::anon_send(client, std::move(turn));
    sched.run();   // no timers: the turn stops where it waits for the model
  }

  void answer(size_t call, caf::expected<llm::chat_reply> reply) {
    ASSERT_LT(call, chat->calls.size());
    chat->calls[call].done(std::move(reply));
  }

  static llm::chat_reply recorded_reply(const std::string& file) {
    auto r = llm::parse_chat_completion(fixture(file));
    EXPECT_TRUE(r) << file;
    return r ? *r : llm::chat_reply{};
  }

  bool wait_for_summaries(size_t n) {
    run_until([&] { return events->summaries.size() >= n; });
    return events->summaries.size() >= n;
  }

  uint64_t fallbacks(const std::string& reason) {
    return metrics.counter_value("cartmate_llm_fallback_total", {{"reason", reason}});
  }
  uint64_t requests(const std::string& outcome) {
    return metrics.counter_value("cartmate_llm_requests_total", {{"outcome", outcome}});
  }
};

TEST_F(orchestrator_llm_test, the_models_plan_is_used_when_it_answers) {
  start(true, false);
  // The offline understanding reads "recommend" here (see the next test); the model's
  // recorded answer searches blue women's kurtas under 1500.
  send("surprise me with something nice");
  ASSERT_EQ(chat->calls.size(), 1u);
  EXPECT_FALSE(chat->calls[0].streamed);
  EXPECT_NE(chat->calls[0].req.messages.back().content.find("surprise me"), std::string::npos);
  EXPECT_TRUE(events->summaries.empty());   // the turn waits for the model
  answer(0, recorded_reply("tool_call.json"));
  ASSERT_TRUE(wait_for_summaries(1));
  const auto& s = events->summaries[0];
  EXPECT_EQ(s.intents, std::vector<std::string>{"search"});
  ASSERT_EQ(agents->searches.size(), 1u);
  const auto& f = agents->searches[0].filters;
  EXPECT_EQ(f.product_type, "kurta");
  EXPECT_EQ(f.colour, "Blue");
  EXPECT_EQ(f.max_price_minor, 150000);
  EXPECT_EQ(requests("ok"), 1u);
  EXPECT_EQ(fallbacks("deadline") + fallbacks("unavailable") + fallbacks("invalid_argument"), 0u);
}

TEST_F(orchestrator_llm_test, the_offline_reading_differs_for_the_same_message) {
  // The control for the test above: without a model the same words mean "recommend", and no
  // search asks for kurtas.
  start(false, false);
  send("surprise me with something nice");
  ASSERT_TRUE(wait_for_summaries(1));
  EXPECT_TRUE(chat->calls.empty());
  EXPECT_NE(events->summaries[0].intents, std::vector<std::string>{"search"});
  for (const auto& req : agents->searches)
    EXPECT_NE(req.filters.product_type, "kurta");
  EXPECT_EQ(requests("ok"), 0u);
}

TEST_F(orchestrator_llm_test, a_failing_model_falls_back_to_the_offline_understanding) {
  start(true, false);
  send("black running shoes under 3000");
  ASSERT_EQ(chat->calls.size(), 1u);
  answer(0, protocol::make_error(errc::unavailable, "model endpoint answered 500"));
  ASSERT_TRUE(wait_for_summaries(1));
  EXPECT_EQ(events->summaries[0].intents, std::vector<std::string>{"search"});
  ASSERT_EQ(agents->searches.size(), 1u);
  EXPECT_EQ(agents->searches[0].filters.product_type, "running shoe");
  EXPECT_EQ(agents->searches[0].filters.max_price_minor, 300000);
  EXPECT_EQ(fallbacks("unavailable"), 1u);
  EXPECT_EQ(requests("error"), 1u);
}

TEST_F(orchestrator_llm_test, an_invalid_tool_call_falls_back_too) {
  start(true, false);
  send("black running shoes under 3000");
  ASSERT_EQ(chat->calls.size(), 1u);
  // A well-formed answer calling a tool that was never offered: the mapping refuses it.
  answer(0, recorded_reply("unknown_tool.json"));
  ASSERT_TRUE(wait_for_summaries(1));
  ASSERT_EQ(agents->searches.size(), 1u);
  EXPECT_EQ(agents->searches[0].filters.product_type, "running shoe");
  EXPECT_EQ(fallbacks("invalid_argument"), 1u);
}

TEST_F(orchestrator_llm_test, a_slow_model_is_not_waited_for_and_its_late_answer_is_dropped) {
  start(true, false);
  auto t0 = now();
  send("black running shoes under 3000");
  ASSERT_EQ(chat->calls.size(), 1u);
  ASSERT_TRUE(wait_for_summaries(1));   // virtual time runs on: the model's budget expires
  EXPECT_LE(now() - t0, std::chrono::milliseconds{5000});   // inside the turn's deadline
  EXPECT_FALSE(events->summaries[0].degraded);
  ASSERT_EQ(agents->searches.size(), 1u);
  EXPECT_EQ(agents->searches[0].filters.product_type, "running shoe");
  EXPECT_EQ(fallbacks("deadline"), 1u);
  // The model answers after all: nothing changes.
  answer(0, recorded_reply("tool_call.json"));
  sched.run();
  EXPECT_EQ(agents->searches.size(), 1u);
  EXPECT_EQ(events->summaries.size(), 1u);
  EXPECT_EQ(events->finals.size(), 1u);
  EXPECT_EQ(requests("late"), 1u);
}

TEST_F(orchestrator_llm_test, the_next_turn_asks_the_model_again_after_a_fallback) {
  start(true, false);
  send("black running shoes under 3000");
  answer(0, protocol::make_error(errc::breaker_open, "circuit open for the model endpoint"));
  ASSERT_TRUE(wait_for_summaries(1));
  EXPECT_EQ(fallbacks("breaker_open"), 1u);
  send("surprise me with something nice");
  ASSERT_EQ(chat->calls.size(), 2u);
  answer(1, recorded_reply("tool_call.json"));
  ASSERT_TRUE(wait_for_summaries(2));
  ASSERT_EQ(agents->searches.size(), 2u);
  EXPECT_EQ(agents->searches[1].filters.product_type, "kurta");
}

TEST_F(orchestrator_llm_test, streamed_phrasing_sends_partials_before_the_final_text) {
  start(false, true);
  send("black running shoes under 3000");
  run_until([&] { return !chat->calls.empty(); });
  ASSERT_EQ(chat->calls.size(), 1u);
  ASSERT_TRUE(chat->calls[0].streamed);
  // The built-in reply is the model's facts.
  const auto& facts = chat->calls[0].req.messages.back().content;
  EXPECT_NE(facts.find("black running shoes under 3000"), std::string::npos);
  EXPECT_TRUE(events->finals.empty());
  chat->calls[0].on_delta("Found some ");
  chat->calls[0].on_delta("black running shoes for you.");
  sched.run();
  llm::chat_reply whole;
  whole.content = "Found some black running shoes for you.";
  answer(0, whole);
  ASSERT_TRUE(wait_for_summaries(1));
  EXPECT_EQ(events->partials,
            (std::vector<std::string>{"Found some ", "black running shoes for you."}));
  EXPECT_EQ(events->sequence,
            (std::vector<std::string>{"partial", "partial", "final", "summary"}));
  ASSERT_EQ(events->finals.size(), 1u);
  EXPECT_EQ(events->finals[0].text, whole.content);
  EXPECT_EQ(events->summaries[0].reply, whole.content);
  EXPECT_EQ(metrics.counter_value("cartmate_llm_replies_total", {{"outcome", "ok"}}), 1u);
}

TEST_F(orchestrator_llm_test, a_failed_stream_keeps_the_built_in_reply) {
  // First the built-in text of this turn, without phrasing.
  start(false, false);
  send("black running shoes under 3000");
  ASSERT_TRUE(wait_for_summaries(1));
  auto built_in = events->finals.at(0).text;
  caf::anon_send_exit(orchestrator, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
  sched.run();
  *events = recorded{};
  start(false, true);
  send("black running shoes under 3000");
  run_until([&] { return !chat->calls.empty(); });
  ASSERT_EQ(chat->calls.size(), 1u);
  chat->calls[0].on_delta("Found so");
  sched.run();
  answer(0, protocol::make_error(errc::agent_error, "malformed stream event"));
  ASSERT_TRUE(wait_for_summaries(1));
  EXPECT_EQ(events->sequence, (std::vector<std::string>{"partial", "final", "summary"}));
  EXPECT_EQ(events->finals.at(0).text, built_in);
  EXPECT_EQ(metrics.counter_value("cartmate_llm_replies_total", {{"outcome", "agent_error"}}), 1u);
}

TEST_F(orchestrator_llm_test, a_stream_past_its_budget_ends_with_the_built_in_reply) {
  start(false, true);
  send("black running shoes under 3000");
  run_until([&] { return !chat->calls.empty(); });
  ASSERT_EQ(chat->calls.size(), 1u);
  ASSERT_TRUE(wait_for_summaries(1));   // the phrasing budget expires in virtual time
  ASSERT_EQ(events->finals.size(), 1u);
  EXPECT_FALSE(events->finals[0].text.empty());
  EXPECT_EQ(metrics.counter_value("cartmate_llm_replies_total", {{"outcome", "deadline"}}), 1u);
  // Pieces after the end are dropped.
  chat->calls[0].on_delta("too late");
  answer(0, llm::chat_reply{});
  sched.run();
  EXPECT_TRUE(events->partials.empty());
  EXPECT_EQ(events->finals.size(), 1u);
}

}  // namespace
}  // namespace cartmate::testing
