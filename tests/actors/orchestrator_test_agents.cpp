// orchestrator_test_agents.cpp — the stand-in agents and recording client of the orchestrator tests.
#include "tests/actors/orchestrator_test_agents.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "protocol/errors.hpp"

namespace cartmate::testing {

using namespace protocol;

namespace {

product item(std::string id, std::string title, std::string brand, std::string type,
             std::string gender, std::string colour, int64_t rupees, int32_t stock) {
  product p;
  p.id = std::move(id);
  p.title = std::move(title);
  p.brand = std::move(brand);
  p.product_type = std::move(type);
  p.gender = std::move(gender);
  p.colour = std::move(colour);
  p.description = p.title + ", a test item";
  p.price = money{rupees * 100, "INR"};
  p.stock = stock;
  p.sizes = {"S", "M", "L"};
  return p;
}

cart_view view_of(const agent_log& log, const index::product_index& idx, const std::string& user) {
  cart_view v;
  v.user = user;
  v.total.currency = "INR";
  for (const auto& [id, qty] : log.cart) {
    const auto* p = idx.find(id);
    cart_line line;
    line.product_id = id;
    line.title = p ? p->title : id;
    line.unit_price = p ? p->price : money{0, "INR"};
    line.quantity = qty;
    line.line_total = money{line.unit_price.minor * qty, "INR"};
    v.total.minor += line.line_total.minor;
    v.item_count += qty;
    v.lines.push_back(std::move(line));
  }
  return v;
}

}  // namespace

std::vector<product> test_catalog() {
  return {
    item("p1", "Nike Black Running Shoes", "Nike", "running shoe", "Men", "Black", 2500, 10),
    item("p2", "Puma Black Running Shoes", "Puma", "running shoe", "Men", "Black", 1800, 5),
    item("p3", "Adidas Black Running Shoes", "Adidas", "running shoe", "Men", "Black", 3500, 3),
    item("p4", "Asics Blue Running Shoes", "Asics", "running shoe", "Men", "Blue", 2200, 4),
    item("p5", "Reebok Black Running Shoes", "Reebok", "running shoe", "Women", "Black", 2900, 6),
    item("p6", "Roadster Blue Denim Jacket", "Roadster", "jacket", "Men", "Blue", 2499, 8),
    item("p7", "Biba Red Kurta", "Biba", "kurta", "Women", "Red", 1299, 9),
    item("p8", "Biba Blue Kurta", "Biba", "kurta", "Women", "Blue", 1499, 7),
    item("p9", "Libas Green Kurta", "Libas", "kurta", "Women", "Green", 899, 12),
    item("p10", "Anouk Yellow Kurta", "Anouk", "kurta", "Women", "Yellow", 1099, 0),
    item("p11", "Nike White Running Shoes", "Nike", "running shoe", "Men", "White", 2700, 2),
    item("p12", "Libas Blue Silk Kurta", "Libas", "kurta", "Women", "Blue", 2899, 3),
  };
}

caf::actor spawn_test_discovery(caf::actor_system& sys,
                                std::shared_ptr<const index::product_index> idx,
                                std::shared_ptr<agent_log> log) {
  return sys.spawn([idx, log](caf::event_based_actor*) -> caf::behavior {
    return {
      [idx, log](const search_request& req) -> caf::result<search_result> {
        log->searches.push_back(req);
        auto r = idx->search(req.query, req.filters, req.limit, req.offset);
        if (!r)
          return r.error();
        if (!log->search_degraded.empty()) {
          r->degraded = log->search_degraded;
          r->explanation += "matched by keywords only: the search model did not answer in time";
        }
        return std::move(*r);
      },
      [idx](const similar_request& req) -> caf::result<search_result> {
        auto r = idx->similar(req.product_id, req.filters, req.limit);
        if (!r)
          return r.error();
        return std::move(*r);
      },
      [idx, log](const get_product_request& req) -> caf::result<product> {
        log->lookups.push_back(req);
        auto r = idx->get(req.product_id);
        if (!r)
          return r.error();
        return std::move(*r);
      },
    };
  });
}

caf::actor spawn_test_cart(caf::actor_system& sys, std::shared_ptr<const index::product_index> idx,
                           std::shared_ptr<agent_log> log) {
  auto prepared = std::make_shared<std::string>();
  auto next_id = std::make_shared<int>(0);
  return sys.spawn([idx, log, prepared, next_id](caf::event_based_actor*) -> caf::behavior {
    return {
      [idx, log](const cart_add& req) -> caf::result<cart_view> {
        ++log->cart_requests;
        log->adds.push_back(req);
        const auto* p = idx->find(req.product_id);
        if (!p)
          return make_error(errc::not_found, "no product " + req.product_id);
        if (req.quantity < 1 || req.quantity > 99)
          return make_error(errc::invalid_argument, "bad quantity");
        if (p->stock == 0)
          return make_error(errc::out_of_stock, p->title);
        log->cart[req.product_id] += req.quantity;
        return view_of(*log, *idx, req.env.user);
      },
      [idx, log](const cart_remove& req) -> caf::result<cart_view> {
        ++log->cart_requests;
        log->removes.push_back(req);
        if (log->cart.erase(req.product_id) == 0)
          return make_error(errc::not_found, "not in the cart");
        return view_of(*log, *idx, req.env.user);
      },
      [idx, log](const cart_set_quantity& req) -> caf::result<cart_view> {
        ++log->cart_requests;
        log->quantity_changes.push_back(req);
        auto i = log->cart.find(req.product_id);
        if (i == log->cart.end())
          return make_error(errc::not_found, "not in the cart");
        i->second = req.quantity;
        return view_of(*log, *idx, req.env.user);
      },
      [idx, log](const cart_get& req) {
        ++log->cart_requests;
        return view_of(*log, *idx, req.env.user);
      },
      [idx, log, prepared, next_id](const checkout_prepare& req) -> caf::result<checkout_summary> {
        ++log->cart_requests;
        log->prepares.push_back(req);
        if (log->cart.empty())
          return make_error(errc::invalid_argument, "the cart is empty");
        *prepared = "co-" + std::to_string(++*next_id);
        return checkout_summary{*prepared, view_of(*log, *idx, req.env.user), 0};
      },
      [idx, log, prepared, next_id](const checkout_confirm& req) -> caf::result<order> {
        ++log->cart_requests;
        log->confirms.push_back(req);
        if (req.checkout_id != *prepared)
          return make_error(errc::conflict, "unknown checkout");
        auto view = view_of(*log, *idx, req.env.user);
        order o{"order-" + std::to_string(++*next_id), req.env.user, view.lines, view.total, 0,
                "placed"};
        log->orders.push_back(o);
        log->cart.clear();
        prepared->clear();
        return o;
      },
      [idx, log, prepared](const checkout_cancel& req) -> caf::result<cart_view> {
        ++log->cart_requests;
        log->cancels.push_back(req);
        if (req.checkout_id == *prepared)
          prepared->clear();
        return view_of(*log, *idx, req.env.user);
      },
      [log](const order_list_request&) {
        ++log->cart_requests;
        return order_history{log->orders};
      },
    };
  });
}

caf::actor spawn_test_style(caf::actor_system& sys, std::shared_ptr<style_log> log,
                            std::vector<product> catalog) {
  return sys.spawn([log, catalog](caf::event_based_actor*) -> caf::behavior {
    auto profile = [log](const envelope& env) {
      style_profile p;
      p.user = env.user;
      p.taste = log->taste;
      p.attributes = log->attributes;
      p.stated = log->stated;
      p.signal_count = log->signal_count;
      return p;
    };
    return {
      [log, profile](const profile_get& req) {
        ++log->profile_gets;
        return profile(req.env);
      },
      [log, profile](const preference_set& req) {
        log->sets.push_back(req);
        auto& stated = log->stated;
        auto same_key = [&req](const stated_preference& s) { return s.key == req.preference.key; };
        stated.erase(std::remove_if(stated.begin(), stated.end(), same_key), stated.end());
        stated.push_back(req.preference);
        return profile(req.env);
      },
      [log, profile](const preference_forget& req) {
        log->forgets.push_back(req);
        auto& stated = log->stated;
        stated.erase(std::remove_if(stated.begin(), stated.end(),
                                    [&req](const stated_preference& s) {
                                      return req.key.empty() || s.key == req.key;
                                    }),
                     stated.end());
        return profile(req.env);
      },
      [log](const style_signal& req) {
        log->signals.push_back(req);
        return ack{};
      },
      [log, catalog](const style_rank& req) {
        log->ranks.push_back(req);
        auto favourite = [&](const std::string& id) {
          return std::any_of(catalog.begin(), catalog.end(), [&](const product& p) {
            return p.id == id && p.colour == log->favourite_colour;
          });
        };
        style_ranking r;
        for (bool first : {true, false})
          for (const auto& id : req.product_ids)
            if (favourite(id) == first) {
              r.product_ids.push_back(id);
              r.scores.push_back(first ? 1.f : 0.f);
            }
        r.reason = log->rank_reason;
        return r;
      },
      [log](const image_analyse& req) -> caf::result<image_analysis> {
        log->images.push_back(req);
        if (req.bytes.empty())
          return make_error(errc::invalid_argument, "no image");
        image_analysis a;
        a.colours.push_back(colour_share{log->image_colour, 0.9f, 0x0000ff});
        a.width = 4;
        a.height = 4;
        return a;
      },
    };
  });
}

caf::actor spawn_test_price(caf::actor_system& sys, std::shared_ptr<price_comparison> answer) {
  return sys.spawn([answer](caf::event_based_actor*) -> caf::behavior {
    return {
      [answer](const price_compare& req) {
        auto c = *answer;
        c.product_id = req.product_id;
        return c;
      },
    };
  });
}

caf::actor spawn_test_client(caf::actor_system& sys, caf::actor orchestrator,
                             std::shared_ptr<client_log> log) {
  return sys.spawn([orchestrator, log](caf::event_based_actor* self) -> caf::behavior {
    return {
      [self, orchestrator, log](user_turn& turn) {
        self->request(orchestrator, caf::infinite, std::move(turn))
          .then([log](turn_summary& s) {
            log->sequence.push_back("summary");
            log->summaries.push_back(std::move(s));
          });
      },
      [log](const thinking_event&) { log->sequence.push_back("thinking"); },
      [log](const delegation_event& ev) {
        log->sequence.push_back("delegation:" + std::string{to_string(ev.agent)});
        log->delegations.push_back(ev);
      },
      [log](const products_event& ev) {
        log->sequence.push_back("products");
        log->products.push_back(ev);
      },
      [log](const cart_event& ev) {
        log->sequence.push_back("cart");
        log->carts.push_back(ev);
      },
      [log](const final_event& ev) {
        log->sequence.push_back("final");
        log->finals.push_back(ev);
      },
      [log](const error_event& ev) {
        log->sequence.push_back("error");
        log->errors.push_back(ev);
      },
      [log](const comparison_event&) { log->sequence.push_back("comparison"); },
    };
  });
}

}  // namespace cartmate::testing
