#ifndef ORDERCORE_CEDITLINE_SHIM_H
#define ORDERCORE_CEDITLINE_SHIM_H
#include <stdio.h>
#include <editline/readline.h>

/* libedit's readline interface is configured through C globals, which Swift 6 strict concurrency
 * will not touch directly; these inline accessors are the only way the shell reaches them. The texts
 * libedit keeps pointers to are C literals here: a Swift string passed as a C string lives only for the
 * call (a debug build reused its memory, and completion found words at the wrong place). */
static inline void ceditline_configure(rl_completion_func_t *attempted) {
    rl_readline_name = "ordercore";
    rl_basic_word_break_characters = " \t\n";
    rl_attempted_completion_function = attempted;
}

/* Called from inside the completion callback: no filename completion fallback. */
static inline void ceditline_completion_over(void) { rl_attempted_completion_over = 1; }

/* The whole line typed so far (the completion callback sees only the current word). */
static inline const char *ceditline_line_buffer(void) { return rl_line_buffer; }
#endif
