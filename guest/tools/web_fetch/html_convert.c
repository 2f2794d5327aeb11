/* Conversion of HTML to Markdown or plain text (html_convert in html.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "url.h"

enum { kMaxListDepth = 16 };

typedef struct {
  html_format format;
  const char* base_url;
  buf* out;
  int skip_depth;        /* inside elements that are dropped */
  bool in_head;          /* inside <head>, dropped until <body> */
  int pre_depth;
  int quote_depth;
  int list_depth;
  bool list_ordered[kMaxListDepth];
  int list_counter[kMaxListDepth];
  int cells_in_row;
  bool pending_space;    /* whitespace seen since the last word */
  bool space_allowed;    /* false at a line start and after '[' or '**' */
  bool at_line_start;
  bool pre_start;        /* a newline right after <pre> is dropped */
  bool after_marker;     /* a list marker is the last thing written */
  char* link_href;       /* inside <a href>, markdown only */
  size_t link_start;     /* output length after the link's '[' */
} converter;

static bool is_markdown(const converter* c) {
  return c->format == FORMAT_MARKDOWN;
}

static bool name_in(const char* name, const char* const* names) {
  for (; *names != NULL; ++names) {
    if (strcmp(name, *names) == 0) return true;
  }
  return false;
}

/* Elements dropped with their content: scripts, styles, navigation. */
static const char* const kSkipped[] = {
    "script", "style",  "noscript", "template", "svg",    "nav",
    "iframe", "object", "canvas",   "select",   "button", NULL};
/* Elements that start and end a paragraph-like block. */
static const char* const kBlocks[] = {
    "p",      "div",    "section", "article",    "main",   "header",
    "footer", "aside",  "figure",  "figcaption", "address", "details",
    "summary", "dl",    "dt",      "dd",         "table",  "form",
    "fieldset", "caption", NULL};

/* Writes the quote and list indentation that starts each line. */
static void write_line_prefix(converter* c, bool for_list_marker) {
  for (int i = 0; i < c->quote_depth; ++i) buf_append_str(c->out, "> ");
  int indent = c->list_depth - (for_list_marker ? 1 : 0);
  for (int i = 0; i < indent; ++i) buf_append_str(c->out, "  ");
  c->at_line_start = false;
}

/* Ends the current line and leaves `newlines` line breaks (1 or 2) at
 * the end of the output, without trailing spaces. */
static void block_break(converter* c, int newlines) {
  /* A block that opens a list item stays on the marker's line. */
  if (c->after_marker) return;
  buf* out = c->out;
  while (out->length > 0 && out->data[out->length - 1] == ' ') {
    buf_truncate(out, out->length - 1);
  }
  c->pending_space = false;
  c->space_allowed = false;
  c->at_line_start = true;
  if (out->length == 0) return;
  int have = 0;
  while (have < (int)out->length && have < 2 &&
         out->data[out->length - 1 - have] == '\n') {
    ++have;
  }
  for (; have < newlines; ++have) buf_append_char(out, '\n');
}

/* Writes markup or a word, with the line prefix or a pending space. */
static void write_word(converter* c, const char* text, size_t length) {
  if (c->at_line_start) {
    write_line_prefix(c, false);
  } else if (c->pending_space) {
    buf_append_char(c->out, ' ');
  }
  c->pending_space = false;
  c->space_allowed = true;
  c->after_marker = false;
  buf_append(c->out, text, length);
}

/* Writes markup that opens a span, such as "**" or "[": a space may come
 * before it but not right after it. */
static void open_markup(converter* c, const char* markup) {
  if (!is_markdown(c)) return;
  write_word(c, markup, strlen(markup));
  c->space_allowed = false;
}

/* Writes markup that closes a span right after its last word; pending
 * whitespace moves after the markup. */
static void close_markup(converter* c, const char* markup) {
  if (is_markdown(c)) buf_append_str(c->out, markup);
}

/* Writes decoded text, collapsing whitespace outside <pre>. */
static void write_text(converter* c, const char* text, size_t length) {
  buf decoded = {0};
  html_decode_entities(&decoded, text, length);
  if (c->pre_depth > 0) {
    size_t skip = c->pre_start && decoded.length > 0 &&
                  decoded.data[0] == '\n';
    c->pre_start = false;
    c->after_marker = false;
    if (c->at_line_start) write_line_prefix(c, false);
    buf_append(c->out, decoded.data + skip, decoded.length - skip);
    buf_free(&decoded);
    return;
  }
  size_t i = 0;
  while (i < decoded.length) {
    if (isspace((unsigned char)decoded.data[i])) {
      if (c->space_allowed) c->pending_space = true;
      ++i;
      continue;
    }
    size_t end = i;
    while (end < decoded.length && !isspace((unsigned char)decoded.data[end]))
      ++end;
    write_word(c, decoded.data + i, end - i);
    i = end;
  }
  buf_free(&decoded);
}

static void start_link(converter* c, const html_token* token) {
  const char* href = html_attribute_value(token, "href");
  if (!is_markdown(c) || c->link_href != NULL || href == NULL ||
      href[0] == '\0' || href[0] == '#' ||
      strncmp(href, "javascript:", 11) == 0) {
    return;
  }
  c->link_href = url_resolve(c->base_url, href);
  if (c->link_href == NULL) c->link_href = xstrdup(href);
  open_markup(c, "[");
  c->link_start = c->out->length;
}

static void end_link(converter* c) {
  if (c->link_href == NULL) return;
  if (c->out->length == c->link_start) {
    buf_truncate(c->out, c->link_start - 1); /* drop the '[' */
  } else {
    close_markup(c, "](");
    close_markup(c, c->link_href);
    close_markup(c, ")");
  }
  free(c->link_href);
  c->link_href = NULL;
}

static void write_image(converter* c, const html_token* token) {
  const char* alt = html_attribute_value(token, "alt");
  const char* src = html_attribute_value(token, "src");
  if (!is_markdown(c)) {
    if (alt != NULL && alt[0] != '\0') write_text(c, alt, strlen(alt));
    return;
  }
  if (src == NULL || src[0] == '\0' || strncmp(src, "data:", 5) == 0) {
    return;
  }
  char* url = url_resolve(c->base_url, src);
  buf image = {0};
  buf_printf(&image, "![%s](%s)", alt ? alt : "", url ? url : src);
  write_word(c, image.data, image.length);
  buf_free(&image);
  free(url);
}

static void start_list_item(converter* c) {
  c->after_marker = false; /* an empty item still ends its line */
  block_break(c, 1);
  write_line_prefix(c, true);
  int level = c->list_depth > 0 ? c->list_depth - 1 : 0;
  if (c->list_depth > 0 && c->list_ordered[level]) {
    buf_printf(c->out, "%d. ", ++c->list_counter[level]);
  } else {
    buf_append_str(c->out, "- ");
  }
  c->after_marker = true;
}

static void handle_start(converter* c, const html_token* t) {
  const char* name = t->name;
  if (strcmp(name, "body") == 0) c->in_head = false;
  if (strcmp(name, "head") == 0) c->in_head = true;
  if (name_in(name, kSkipped)) ++c->skip_depth;
  if (c->skip_depth > 0 || c->in_head) return;

  if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
    block_break(c, 2);
    static const char kHashes[] = "###### ";
    open_markup(c, kHashes + 6 - (name[1] - '0'));
  } else if (name_in(name, kBlocks)) {
    block_break(c, strcmp(name, "p") == 0 ? 2 : 1);
  } else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
    block_break(c, c->list_depth == 0 ? 2 : 1);
    if (c->list_depth < kMaxListDepth) {
      c->list_ordered[c->list_depth] = name[0] == 'o';
      c->list_counter[c->list_depth] = 0;
    }
    ++c->list_depth;
  } else if (strcmp(name, "li") == 0) {
    start_list_item(c);
  } else if (strcmp(name, "pre") == 0) {
    block_break(c, 2);
    open_markup(c, "```");
    block_break(c, 1);
    ++c->pre_depth;
    c->pre_start = true;
  } else if (strcmp(name, "code") == 0 && c->pre_depth == 0) {
    open_markup(c, "`");
  } else if (strcmp(name, "strong") == 0 || strcmp(name, "b") == 0) {
    open_markup(c, "**");
  } else if (strcmp(name, "em") == 0 || strcmp(name, "i") == 0) {
    open_markup(c, "*");
  } else if (strcmp(name, "a") == 0) {
    start_link(c, t);
  } else if (strcmp(name, "img") == 0) {
    write_image(c, t);
  } else if (strcmp(name, "br") == 0) {
    block_break(c, 1);
  } else if (strcmp(name, "hr") == 0) {
    block_break(c, 2);
    open_markup(c, "---");
    block_break(c, 2);
  } else if (strcmp(name, "blockquote") == 0) {
    block_break(c, 2);
    ++c->quote_depth;
  } else if (strcmp(name, "tr") == 0) {
    block_break(c, 1);
    c->cells_in_row = 0;
  } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
    if (c->cells_in_row++ > 0) {
      c->pending_space = true;
      write_word(c, "|", 1);
      c->pending_space = true;
    }
  }
}

static void handle_end(converter* c, const html_token* t) {
  const char* name = t->name;
  if (strcmp(name, "head") == 0) c->in_head = false;
  if (name_in(name, kSkipped)) {
    if (c->skip_depth > 0) --c->skip_depth;
    return;
  }
  if (c->skip_depth > 0 || c->in_head) return;

  if ((name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) ||
      name_in(name, kBlocks)) {
    block_break(c, strcmp(name, "div") == 0 ? 1 : 2);
  } else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
    if (c->list_depth > 0) --c->list_depth;
    c->after_marker = false;
    block_break(c, c->list_depth == 0 ? 2 : 1);
  } else if (strcmp(name, "li") == 0) {
    c->after_marker = false;
    block_break(c, 1);
  } else if (strcmp(name, "pre") == 0 && c->pre_depth > 0) {
    --c->pre_depth;
    block_break(c, 1);
    open_markup(c, "```");
    block_break(c, 2);
  } else if (strcmp(name, "code") == 0 && c->pre_depth == 0) {
    close_markup(c, "`");
  } else if (strcmp(name, "strong") == 0 || strcmp(name, "b") == 0) {
    close_markup(c, "**");
  } else if (strcmp(name, "em") == 0 || strcmp(name, "i") == 0) {
    close_markup(c, "*");
  } else if (strcmp(name, "a") == 0) {
    end_link(c);
  } else if (strcmp(name, "blockquote") == 0) {
    if (c->quote_depth > 0) --c->quote_depth;
    block_break(c, 2);
  }
}

static void on_token(const html_token* token, void* context) {
  converter* c = context;
  if (token->type == HTML_START) {
    handle_start(c, token);
  } else if (token->type == HTML_END) {
    handle_end(c, token);
  } else if (c->skip_depth == 0 && !c->in_head && !token->raw) {
    write_text(c, token->text, token->length);
  }
}

void html_convert(const char* html, size_t length, html_format format,
                  const char* base_url, buf* out) {
  converter c = {.format = format, .base_url = base_url, .out = out,
                 .at_line_start = true};
  size_t start = out->length;
  html_tokenize(html, length, on_token, &c);
  free(c.link_href);
  /* Trim trailing whitespace; leading whitespace never gets written. */
  while (out->length > start &&
         isspace((unsigned char)out->data[out->length - 1])) {
    buf_truncate(out, out->length - 1);
  }
}
