// Evaluation of a compiled schedule. Windows are generated lazily, local day by local day, from
// the weekly pattern; every answer is computed from window edges, never by stepping through time.
#include <algorithm>

#include "compiled.hpp"
#include "fivespot/common/error.hpp"

namespace fivespot::schedule::detail {
namespace {

// A window of the weekly pattern lasts less than two days (at most 48 h from the local midnight
// of its start day), so the windows that can contain an instant start at most two local days
// earlier. One more day each side absorbs DST transitions at midnight.
constexpr date::days kLookBehind{3};
// How far ahead a search may read. Unless the pattern covers the whole week, every week has a
// gap of at least a minute, and a DST change can swallow at most one such gap in a row, so a
// merged window ends, and a new one starts, well within this horizon.
constexpr date::days kSearchHorizon{40};

int isoWeekdayIndex(date::local_days day) {
  return static_cast<int>(date::weekday{day}.iso_encoding()) - 1;
}

// The pattern's windows in start order, local day by local day. Windows that DST reduced to
// nothing (entirely inside a skipped hour) are left out.
class RawWindowStream {
 public:
  RawWindowStream(const CompiledSchedule& schedule, date::local_days first, date::local_days last)
      : schedule_(schedule), day_(first), last_(last) {}

  std::optional<Window> next() {
    while (day_ <= last_) {
      if (schedule_.days[static_cast<std::size_t>(isoWeekdayIndex(day_))]) {
        while (rangeIndex_ < schedule_.ranges.size()) {
          const MinuteRange& range = schedule_.ranges[rangeIndex_++];
          const Window window{schedule_.instantOf(day_, range.start), schedule_.instantOf(day_, range.end)};
          if (window.start < window.end) return window;
        }
      }
      day_ += date::days{1};
      rangeIndex_ = 0;
    }
    return std::nullopt;
  }

 private:
  const CompiledSchedule& schedule_;
  date::local_days day_;
  date::local_days last_;
  std::size_t rangeIndex_ = 0;
};

// The pattern's windows with overlapping and adjacent ones merged, so that every block edge is a
// real change of state. Only for patterns that do not cover the whole week.
class BlockStream {
 public:
  BlockStream(const CompiledSchedule& schedule, date::local_days first, date::local_days last)
      : raw_(schedule, first, last), pending_(raw_.next()) {}

  std::optional<Window> next() {
    if (!pending_) return std::nullopt;
    Window block = *pending_;
    while ((pending_ = raw_.next())) {
      if (pending_->start > block.end) return block;
      block.end = std::max(block.end, pending_->end);
    }
    // The stream ended while the block was open: its true end lies beyond the horizon.
    throw Error(ErrorKind::Internal, "schedule", "a window extends beyond the search horizon");
  }

 private:
  RawWindowStream raw_;
  std::optional<Window> pending_;
};

// Appends the parts of `block` that no exclusion covers.
void subtractExclusions(const Window& block, const std::vector<Window>& exclusions, std::vector<Window>& out) {
  TimePoint cursor = block.start;
  auto it = std::upper_bound(exclusions.begin(), exclusions.end(), block.start,
                             [](TimePoint t, const Window& x) { return t < x.end; });
  for (; it != exclusions.end() && it->start < block.end; ++it) {
    if (it->start > cursor) out.push_back({cursor, it->start});
    cursor = std::max(cursor, it->end);
  }
  if (cursor < block.end) out.push_back({cursor, block.end});
}

}  // namespace

date::local_days CompiledSchedule::localDayOf(TimePoint t) const {
  return date::floor<date::days>(zone->to_local(date::floor<std::chrono::seconds>(t)));
}

TimePoint CompiledSchedule::instantOf(date::local_days day, int minute) const {
  const auto instant = zone->to_sys(day + std::chrono::minutes{minute}, date::choose::earliest);
  return TimePoint{std::chrono::duration_cast<Duration>(instant.time_since_epoch())};
}

const Window* CompiledSchedule::exclusionContaining(TimePoint t) const {
  auto it = std::upper_bound(exclusions.begin(), exclusions.end(), t,
                             [](TimePoint instant, const Window& x) { return instant < x.start; });
  if (it == exclusions.begin()) return nullptr;
  --it;
  return t < it->end ? &*it : nullptr;
}

bool CompiledSchedule::inRawWindow(TimePoint t) const {
  if (alwaysOn) return true;
  const date::local_days day = localDayOf(t);
  RawWindowStream stream(*this, day - kLookBehind, day + date::days{1});
  while (const auto window = stream.next()) {
    if (window->start > t) return false;
    if (t < window->end) return true;
  }
  return false;
}

bool CompiledSchedule::inWindow(TimePoint t) const {
  return enabled && exclusionContaining(t) == nullptr && inRawWindow(t);
}

std::optional<TimePoint> CompiledSchedule::nextTransition(TimePoint t) const {
  if (!enabled) return std::nullopt;
  const date::local_days startDay = localDayOf(t);

  if (inWindow(t)) {
    // Leaves at the earlier of: the end of the merged window holding t, the next exclusion.
    std::optional<TimePoint> leave;
    if (!alwaysOn) {
      BlockStream blocks(*this, startDay - kLookBehind, startDay + kSearchHorizon);
      while (const auto block = blocks.next()) {
        if (block->start > t) break;
        if (t < block->end) {
          leave = block->end;
          break;
        }
      }
    }
    const auto nextExclusion = std::upper_bound(exclusions.begin(), exclusions.end(), t,
                                                [](TimePoint instant, const Window& x) { return instant < x.start; });
    if (nextExclusion != exclusions.end() && (!leave || nextExclusion->start < *leave)) leave = nextExclusion->start;
    return leave;  // nullopt: a whole-week pattern with no exclusion ahead never closes
  }

  // Out of the window: enters at the first pattern instant after t that no exclusion covers.
  // Each round either returns or moves past one exclusion, so this ends.
  TimePoint cursor = t;
  while (true) {
    if (const Window* excluded = exclusionContaining(cursor)) {
      cursor = excluded->end;  // exclusions are merged: cursor is not excluded now
      if (inRawWindow(cursor)) return cursor;
    }
    // cursor is outside every pattern window here: find the next window start.
    const date::local_days day = localDayOf(cursor);
    RawWindowStream stream(*this, day - kLookBehind, day + kSearchHorizon);
    std::optional<Window> window;
    while ((window = stream.next()) && window->start <= cursor) {
    }
    if (!window) throw Error(ErrorKind::Internal, "schedule", "no window starts within the search horizon");
    cursor = window->start;
    if (exclusionContaining(cursor) == nullptr) return cursor;
  }
}

std::vector<Window> CompiledSchedule::windows(TimePoint from, TimePoint until, std::size_t limit) const {
  std::vector<Window> result;
  if (!enabled || until < from || limit == 0) return result;
  const auto keep = [&](const Window& window) {
    if (result.size() < limit && window.end > from && window.start <= until) result.push_back(window);
  };

  if (alwaysOn) {
    // One endless window, cut by the exclusions; its open ends are TimePoint::min()/max().
    std::vector<Window> pieces;
    subtractExclusions(Window{TimePoint::min(), TimePoint::max()}, exclusions, pieces);
    for (const Window& piece : pieces) keep(piece);
    return result;
  }

  const date::local_days fromDay = localDayOf(from);
  const date::local_days untilDay = localDayOf(until);
  BlockStream blocks(*this, fromDay - kLookBehind, untilDay + kSearchHorizon);
  std::vector<Window> pieces;
  while (result.size() < limit) {
    const auto block = blocks.next();
    if (!block || block->start > until) break;
    if (block->end <= from) continue;
    pieces.clear();
    subtractExclusions(*block, exclusions, pieces);
    for (const Window& piece : pieces) keep(piece);
  }
  return result;
}

}  // namespace fivespot::schedule::detail
