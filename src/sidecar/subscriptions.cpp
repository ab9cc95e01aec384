#include "sidecar/subscriptions.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "dapr/cloud_event.h"
#include "dapr/json_view.h"
#include "sidecar/request_params.h"

namespace wasmdapr::sidecar {
namespace {

using dapr::DeliveryStatus;
using dapr::JsonView;

void log(const std::string& message) {
  std::fprintf(stderr, "wasmdapr: pubsub: %s\n", message.c_str());
}

// ---- Route matching: the supported subset of CEL -------------------------------------------

struct Condition {
  enum class Kind { Equal, NotEqual, And, Or } kind = Kind::Equal;
  std::string field;  // dotted path below `event.`
  std::string literal;
  std::shared_ptr<const Condition> left, right;

  bool holds(const dapr::CloudEvent& event) const {
    switch (kind) {
      case Kind::And:
        return left->holds(event) && right->holds(event);
      case Kind::Or:
        return left->holds(event) || right->holds(event);
      default: {
        const JsonView* value = event.field(field);
        if (!value || !value->is_string()) return false;  // CEL would raise: no match
        return (value->string() == literal) == (kind == Kind::Equal);
      }
    }
  }
};

class ConditionParser {
 public:
  explicit ConditionParser(std::string_view text) : text_(text) {}

  Result<std::shared_ptr<const Condition>, std::string> parse() {
    auto condition = parse_or();
    if (!condition) return condition;
    skip_space();
    if (at_ < text_.size()) return fail("unexpected text");
    return condition;
  }

 private:
  using Parsed = Result<std::shared_ptr<const Condition>, std::string>;

  Parsed fail(const std::string& what) const {
    return unexpected(what + " at offset " + std::to_string(at_) +
                      " (supported: event.<field> == or != \"text\", &&, ||, parentheses)");
  }
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  bool take(std::string_view token) {
    skip_space();
    if (text_.substr(at_, token.size()) != token) return false;
    at_ += token.size();
    return true;
  }
  static Parsed join(Condition::Kind kind, std::shared_ptr<const Condition> left,
                     std::shared_ptr<const Condition> right) {
    auto node = std::make_shared<Condition>();
    node->kind = kind;
    node->left = std::move(left);
    node->right = std::move(right);
    return std::shared_ptr<const Condition>(std::move(node));
  }
  Parsed parse_or() {
    auto left = parse_and();
    while (left && take("||")) {
      auto right = parse_and();
      if (!right) return right;
      left = join(Condition::Kind::Or, std::move(*left), std::move(*right));
    }
    return left;
  }
  Parsed parse_and() {
    auto left = parse_term();
    while (left && take("&&")) {
      auto right = parse_term();
      if (!right) return right;
      left = join(Condition::Kind::And, std::move(*left), std::move(*right));
    }
    return left;
  }
  Parsed parse_term() {
    if (take("(")) {
      auto inner = parse_or();
      if (!inner) return inner;
      if (!take(")")) return fail("')' expected");
      return inner;
    }
    if (!take("event.")) return fail("'event.<field>' expected");
    auto node = std::make_shared<Condition>();
    size_t start = at_;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) ||
                                  text_[at_] == '_' || text_[at_] == '.')) {
      ++at_;
    }
    node->field = std::string(text_.substr(start, at_ - start));
    if (node->field.empty() || node->field.front() == '.' || node->field.back() == '.' ||
        node->field.find("..") != std::string::npos) {
      return fail("a field name expected");
    }
    if (take("==")) {
      node->kind = Condition::Kind::Equal;
    } else if (take("!=")) {
      node->kind = Condition::Kind::NotEqual;
    } else {
      return fail("'==' or '!=' expected");
    }
    skip_space();
    if (at_ >= text_.size() || (text_[at_] != '"' && text_[at_] != '\'')) {
      return fail("a string literal expected");
    }
    char quote = text_[at_++];
    for (;; ++at_) {
      if (at_ >= text_.size()) return fail("unterminated string");
      char c = text_[at_];
      if (c == quote) break;
      if (c == '\\') {
        if (++at_ >= text_.size()) return fail("unterminated string");
        c = text_[at_];
        if (c == 'n') c = '\n';
        if (c == 't') c = '\t';
      }
      node->literal += c;
    }
    ++at_;
    return std::shared_ptr<const Condition>(std::move(node));
  }

  std::string_view text_;
  size_t at_ = 0;
};

// ---- Subscriptions as they are served ----------------------------------------------------------

struct Route {
  std::string match;
  std::string path;
  std::shared_ptr<const Condition> condition;  // null: the rule never matches (bad expression)
};

struct Active {
  dapr::SubscriptionSpec spec;
  bool declarative = false;
  bool raw_payload = false;
  std::vector<Route> routes;
};

std::string app_path(std::string path) {
  if (!path.empty() && path.front() != '/') path.insert(path.begin(), '/');
  return path;
}

Active compile(dapr::SubscriptionSpec spec, bool declarative) {
  Active active;
  active.declarative = declarative;
  std::string where = (declarative ? "subscription " + spec.name + " (" + spec.source + ")"
                                   : std::string("programmatic subscription")) +
                      " to " + spec.pubsub_name + "/" + spec.topic;
  for (auto& rule : spec.rules) {
    Route route{rule.match, app_path(rule.path), nullptr};
    if (rule.match.empty()) {
      route.condition = nullptr;
    } else if (auto condition = ConditionParser(rule.match).parse()) {
      route.condition = std::move(*condition);
    } else {
      log(where + ": match '" + rule.match + "': " + condition.error() +
          "; the rule never matches");
    }
    active.routes.push_back(std::move(route));
  }
  auto raw = dapr::raw_payload(spec.metadata);
  if (!raw) log(where + ": " + raw.error().message + "; taken as false");
  active.raw_payload = raw && *raw;
  active.spec = std::move(spec);
  return active;
}

// The path of the first rule that holds, else the default; empty when nothing matches.
std::string pick_path(const Active& active, const dapr::CloudEvent& event) {
  for (const Route& route : active.routes) {
    if (route.match.empty() && !route.path.empty()) return route.path;  // matches everything
    if (route.condition && route.condition->holds(event)) return route.path;
  }
  return app_path(active.spec.default_path);
}

DeliveryStatus read_answer(const http::OutboundResponse& response, const std::string& where) {
  if (response.status == 404) {
    log(where + ": the app answered 404; dropping the message");
    return DeliveryStatus::Drop;
  }
  if (response.status < 200 || response.status > 299) return DeliveryStatus::Retry;
  auto body = JsonView::parse(response.body);
  if (!body || !body->is_object()) return DeliveryStatus::Success;
  const JsonView* status = dapr::find_member(*body, "status");
  if (!status || !status->is_string()) return DeliveryStatus::Success;
  std::string text = status->string();
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (text.empty() || text == "SUCCESS") return DeliveryStatus::Success;
  if (text == "DROP") return DeliveryStatus::Drop;
  if (text != "RETRY") log(where + ": unknown status '" + status->string() + "'; retrying");
  return DeliveryStatus::Retry;
}

bool header_safe(std::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return !text.empty();
}

std::string metadata_entry(const Active& active) {
  const auto& spec = active.spec;
  std::string out = R"({"pubsubname":)" + JsonView::quote(spec.pubsub_name) + R"(,"topic":)" +
                    JsonView::quote(spec.topic);
  if (!spec.metadata.empty()) {
    std::string metadata;
    for (const auto& [key, value] : spec.metadata) {
      if (!metadata.empty()) metadata += ',';
      metadata += JsonView::quote(key) + ':' + JsonView::quote(value);
    }
    out += R"(,"metadata":{)" + metadata + "}";
  }
  std::string rules;
  auto add_rule = [&](std::string_view match, std::string_view path) {
    if (!rules.empty()) rules += ',';
    rules += R"({"match":)" + JsonView::quote(match) + R"(,"path":)" + JsonView::quote(path) + "}";
  };
  for (const Route& route : active.routes) add_rule(route.match, route.path);
  if (!spec.default_path.empty()) add_rule("", app_path(spec.default_path));
  out += R"(,"rules":{"rules":[)" + rules + "]}";
  if (!spec.dead_letter_topic.empty()) {
    out += R"(,"deadLetterTopic":)" + JsonView::quote(spec.dead_letter_topic);
  }
  out += R"(,"type":")" + std::string(active.declarative ? "DECLARATIVE" : "PROGRAMMATIC") + "\"}";
  return out;
}

// The app's answer to GET /dapr/subscribe.
std::vector<dapr::SubscriptionSpec> read_programmatic(std::string_view body) {
  std::vector<dapr::SubscriptionSpec> specs;
  auto json = JsonView::parse(body);
  if (!json || !json->is_array()) {
    log("GET /dapr/subscribe: the answer is not a JSON array; no programmatic subscriptions");
    return specs;
  }
  auto text = [](const JsonView& object, std::string_view name) {
    const JsonView* member = dapr::find_member(object, name);
    return member && member->is_string() ? member->string() : std::string();
  };
  for (const JsonView& item : json->items()) {
    if (!item.is_object()) continue;
    dapr::SubscriptionSpec spec;
    spec.pubsub_name = text(item, "pubsubname");
    spec.topic = text(item, "topic");
    spec.dead_letter_topic = text(item, "deadLetterTopic");
    spec.default_path = text(item, "route");
    if (const JsonView* routes = dapr::find_member(item, "routes"); routes && routes->is_object()) {
      if (std::string fallback = text(*routes, "default"); !fallback.empty()) {
        spec.default_path = fallback;
      }
      if (const JsonView* rules = dapr::find_member(*routes, "rules"); rules && rules->is_array()) {
        for (const JsonView& rule : rules->items()) {
          if (!rule.is_object()) continue;
          spec.rules.push_back({text(rule, "match"), text(rule, "path")});
        }
      }
    }
    if (const JsonView* metadata = dapr::find_member(item, "metadata")) {
      if (auto read = read_metadata_object(*metadata, spec.metadata); !read) {
        log("GET /dapr/subscribe: " + spec.topic + ": " + read.error());
      }
    }
    if (spec.pubsub_name.empty() || spec.topic.empty()) {
      log("GET /dapr/subscribe: an entry without pubsubname or topic is skipped");
      continue;
    }
    if (spec.default_path.empty() && spec.rules.empty()) continue;  // no routes: dropped
    specs.push_back(std::move(spec));
  }
  return specs;
}

// The subscription's metadata as the broker sees it: as daprd does, the consumer group of a
// pub/sub whose component names none is the app id, so instances of one app share messages
// and different apps each get every message.
dapr::Metadata subscribe_metadata(const dapr::SubscriptionSpec& spec, const std::string& app_id,
                                  const dapr::ComponentSet& components) {
  dapr::Metadata metadata = spec.metadata;
  auto entry = components.pubsubs.find(spec.pubsub_name);
  bool named =
      entry != components.pubsubs.end() && entry->second.spec.metadata.contains("consumerID");
  if (!named && !app_id.empty()) metadata.try_emplace("consumerID", app_id);
  return metadata;
}

}  // namespace

struct Subscriptions::State : std::enable_shared_from_this<State> {
  State(const dapr::ComponentSet& components, const AppChannel& app, std::string app_id)
      : components(components), app(app), app_id(std::move(app_id)) {}

  const dapr::ComponentSet& components;
  const AppChannel& app;
  const std::string app_id;

  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  // Deliveries hold it shared; the destructor takes it exclusively to wait for them.
  std::shared_mutex in_flight;

  mutable std::mutex active_mutex;
  std::vector<std::shared_ptr<const Active>> active;

  DeliveryStatus deliver(const Active& sub, const dapr::PubSubMessage& message);
  DeliveryStatus to_dead_letter(const Active& sub, const dapr::PubSubMessage& message,
                                DeliveryStatus otherwise);
  void run();
};

DeliveryStatus Subscriptions::State::to_dead_letter(const Active& sub,
                                                    const dapr::PubSubMessage& message,
                                                    DeliveryStatus otherwise) {
  const std::string& topic = sub.spec.dead_letter_topic;
  if (topic.empty()) return otherwise;
  dapr::PubSub* pubsub = components.pubsub(sub.spec.pubsub_name);
  if (!pubsub) return otherwise;
  dapr::PubSubMessage letter = message;
  letter.topic = topic;
  if (auto published = pubsub->publish(letter); !published) {
    log(sub.spec.pubsub_name + "/" + sub.spec.topic + ": dead-letter topic " + topic + ": " +
        published.error().message + "; retrying");
    return DeliveryStatus::Retry;
  }
  return DeliveryStatus::Success;
}

DeliveryStatus Subscriptions::State::deliver(const Active& sub,
                                             const dapr::PubSubMessage& message) {
  std::string where = sub.spec.pubsub_name + "/" + sub.spec.topic;
  std::string body =
      sub.raw_payload ? dapr::raw_payload_event(message.data, message.topic, sub.spec.pubsub_name)
                      : message.data;
  auto event = dapr::CloudEvent::parse(body);
  if (!event) {
    log(where + ": the message is not a CloudEvent (" + event.error() + "); dropping it");
    return to_dead_letter(sub, message, DeliveryStatus::Drop);
  }
  if (event->expired(std::chrono::system_clock::now())) {
    return to_dead_letter(sub, message, DeliveryStatus::Drop);
  }
  std::string path = pick_path(sub, *event);
  if (path.empty()) return to_dead_letter(sub, message, DeliveryStatus::Drop);

  http::HeaderList headers{{"Content-Type", std::string(dapr::kCloudEventContentType)}};
  if (const JsonView* trace = event->field("traceparent"); trace && trace->is_string()) {
    if (std::string value = trace->string(); header_safe(value)) {
      headers.emplace_back("traceparent", value);
    }
  }
  for (const auto& [key, value] : message.metadata) {
    if (header_safe(key) && header_safe(value) && key.find(':') == std::string::npos &&
        key.find(' ') == std::string::npos) {
      headers.emplace_back(key, value);
    }
  }
  auto answer = app.call("POST", path, std::move(headers), std::move(body));
  if (!answer) {
    log(where + ": " + answer.error().message + "; retrying");
    return DeliveryStatus::Retry;
  }
  DeliveryStatus status = read_answer(*answer, where + " -> " + path);
  if (status == DeliveryStatus::Drop) return to_dead_letter(sub, message, DeliveryStatus::Drop);
  return status;
}

void Subscriptions::State::run() {
  while (!app.wait_until_listening(std::chrono::milliseconds(200))) {
    if (stopping) return;
  }
  std::vector<dapr::SubscriptionSpec> programmatic;
  for (int attempt = 0; attempt < 3 && !stopping; ++attempt) {
    auto answer = app.call("GET", "/dapr/subscribe", {{"Content-Type", "application/json"}}, "");
    if (!answer) {
      log("GET /dapr/subscribe: " + answer.error().message);
      continue;
    }
    if (answer->status == 200) programmatic = read_programmatic(answer->body);
    if (answer->status != 200 && answer->status != 404) {
      log("GET /dapr/subscribe answered " + std::to_string(answer->status) +
          "; no programmatic subscriptions");
    }
    break;
  }

  std::vector<Active> wanted;
  std::set<std::pair<std::string, std::string>> taken;
  for (const auto& spec : components.subscriptions) {
    if (taken.emplace(spec.pubsub_name, spec.topic).second) wanted.push_back(compile(spec, true));
  }
  for (auto& spec : programmatic) {
    if (!taken.emplace(spec.pubsub_name, spec.topic).second) {
      log("programmatic subscription to " + spec.pubsub_name + "/" + spec.topic +
          " is skipped: a declarative subscription or an earlier entry has that topic");
      continue;
    }
    wanted.push_back(compile(std::move(spec), false));
  }

  for (auto& compiled : wanted) {
    if (stopping) return;
    auto sub = std::make_shared<const Active>(std::move(compiled));
    dapr::PubSub* pubsub = components.pubsub(sub->spec.pubsub_name);
    if (!pubsub) {
      log("subscription to " + sub->spec.pubsub_name + "/" + sub->spec.topic +
          " is skipped: no pubsub named " + sub->spec.pubsub_name);
      continue;
    }
    auto handler = [state = shared_from_this(), sub](const dapr::PubSubMessage& message) {
      std::shared_lock lock(state->in_flight);
      if (state->stopping) return DeliveryStatus::Retry;
      return state->deliver(*sub, message);
    };
    if (auto subscribed = pubsub->subscribe(
            sub->spec.topic, subscribe_metadata(sub->spec, app_id, components), handler);
        !subscribed) {
      log("subscription to " + sub->spec.pubsub_name + "/" + sub->spec.topic +
          " failed: " + subscribed.error().message);
      continue;
    }
    std::lock_guard lock(active_mutex);
    active.push_back(std::move(sub));
  }
}

Subscriptions::Subscriptions(const dapr::ComponentSet& components, const AppChannel& app,
                             std::string app_id)
    : state_(std::make_shared<State>(components, app, std::move(app_id))) {}

Subscriptions::~Subscriptions() {
  state_->stopping = true;
  { std::unique_lock wait_for_deliveries(state_->in_flight); }
  if (starter_.joinable()) starter_.join();
}

void Subscriptions::start() {
  if (!state_->app.configured() || state_->started.exchange(true)) return;
  starter_ = std::thread([state = state_] { state->run(); });
}

std::string Subscriptions::metadata_json() const {
  std::lock_guard lock(state_->active_mutex);
  std::string out = "[";
  for (const auto& sub : state_->active) {
    if (out.size() > 1) out += ',';
    out += metadata_entry(*sub);
  }
  return out + "]";
}

}  // namespace wasmdapr::sidecar
