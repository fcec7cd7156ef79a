// LOCKSTEP_INLINE_WITH_LTO marks a hot function of core/src (the lock's fast
// paths, the loop's step): it stays defined in its .cpp, where every binary
// links one definition and a mutant (mutants/) patches the real code, and a
// build with link-time optimisation inlines it into its callers anyway, which
// GCC's size heuristics otherwise refuse across translation units. Without
// LTO it changes nothing. Used in core/src only.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
// GCC warns that a non-inline always_inline function "might not be
// inlinable": without LTO, callers in other files just call it.
#pragma GCC diagnostic ignored "-Wattributes"
#endif
#define LOCKSTEP_INLINE_WITH_LTO [[gnu::always_inline]]
