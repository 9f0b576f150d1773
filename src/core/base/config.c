/*
 * config.c - the option table and the loader built on it.
 *
 * Contract: mg_config_load() reads a file into a new immutable struct
 * mg_config (refcount 1) or fails with "file:line: key: problem; allowed"
 * and returns NULL.  Nothing else in mugaika parses configuration text.
 * Adding a parameter = adding a field to struct mg_config and one row to
 * mg_options[] below; parsing, range checks, defaults and the documented
 * dump (`mugaika config-dump`) follow from the row.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mg_alert.h"
#include "mg_clock.h"
#include "mg_config.h"
#include "mg_config_table.h"
#include "mg_kv.h"

G_DEFINE_QUARK(mg - config - error - quark, mg_config_error)

#define OFF(f) offsetof(struct mg_config, f)
#define KiB    (INT64_C(1024))
#define MiB    (INT64_C(1024) * 1024)
#define GiB    (INT64_C(1024) * 1024 * 1024)

/* clang-format off */
static const struct mg_opt mg_options[] = {
	/* --- daemon --- */
	{ "socket", MG_OPT_STR, OFF(socket), "unix:/run/mugaika/mugaika.sock", 0, 0, NULL, mg_check_socket,
	  "Milter socket: unix:/path or inet:PORT@127.0.0.1 (or inet6:PORT@[::1])." },
	/* issue 14: who may connect to a unix socket (clamav-milter's MilterSocketGroup/Mode) */
	{ "socket_owner", MG_OPT_STR, OFF(socket_owner), "", 0, 0, NULL, mg_check_account,
	  "Owner of a unix socket (empty: the user the daemon runs as).  Only a daemon\n"
	  "started as root can give the socket to another user." },
	{ "socket_group", MG_OPT_STR, OFF(socket_group), "", 0, 0, NULL, mg_check_account,
	  "Group of a unix socket (empty: the daemon's group).  With Postfix: postfix; a\n"
	  "daemon not started as root must be a member of it (usermod -a -G postfix mugaika)." },
	{ "socket_mode", MG_OPT_STR, OFF(socket_mode), "0660", 0, 0, NULL, mg_check_mode,
	  "Permissions of a unix socket, octal (the MTA needs read and write)." },
	{ "pid_file", MG_OPT_STR, OFF(pid_file), "", 0, 0, NULL, NULL,
	  "Write the daemon's pid here (empty: no pid file).  Removed when the daemon exits." },
	{ "user", MG_OPT_STR, OFF(user), "", 0, 0, NULL, mg_check_account,
	  "Drop privileges to this user after the socket is made (empty: stay as started).\n"
	  "A daemon that already runs as this user (systemd's User=) keeps running as it is." },
	{ "status_file", MG_OPT_STR, OFF(status_file), "", 0, 0, NULL, NULL,
	  "The daemon keeps its state here for `mugaika status` (JSON: engine loaded,\n"
	  "signature age, last error, counters).  Empty: status.json in the directory of\n"
	  "pid_file, or none without a pid_file." },
	{ "metrics_listen", MG_OPT_STR, OFF(metrics_listen), "", 0, 0, NULL, mg_check_listen,
	  "Serve Prometheus metrics over HTTP on this loopback address, e.g. 127.0.0.1:9425\n"
	  "(GET /metrics).  Empty: off." },
	{ "log_level", MG_OPT_ENUM, OFF(log_level), "info", 0, 0, "error|warning|info|debug", NULL,
	  "Lowest severity that is logged (syslog facility mail, or stderr with -f)." },
	{ "on_error", MG_OPT_ENUM, OFF(on_error), "tempfail", 0, 0, "tempfail|reject", NULL,
	  "What the MTA is told when mugaika fails internally (spool error, library error,\n"
	  "timeout).  Never delivers unprocessed content.  tempfail = 451 4.3.0, the\n"
	  "MTA keeps the message queued and retries; reject = 554 5.3.0." },
	{ "milter_timeout", MG_OPT_TIME, OFF(milter_timeout), "300", 10, 3600, NULL, NULL,
	  "Seconds libmilter waits for the MTA before giving up on a session." },

	/* --- spool and structural limits --- */
	{ "spool_dir", MG_OPT_STR, OFF(spool_dir), "", 0, 0, NULL, NULL,
	  "Directory for message spool files (mode 0600).  Empty: $TMPDIR or /tmp." },
	{ "spool_memory_max", MG_OPT_SIZE, OFF(spool_memory_max), "1M", 0, 64 * MiB, NULL, NULL,
	  "A message body is kept in memory up to this size, then moved to a private\n"
	  "temporary file in spool_dir.  Archive members being repacked and rebuilt\n"
	  "attachments past it wait in spool files too." },
	{ "max_message_size", MG_OPT_SIZE, OFF(max_message_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest message accepted (headers and body as received).  Larger: 552 5.3.4." },
	{ "max_header_size", MG_OPT_SIZE, OFF(max_header_size), "256K", 1 * KiB, 64 * MiB, NULL, NULL,
	  "Largest header block.  Larger: 552 5.6.0." },
	{ "max_header_field", MG_OPT_SIZE, OFF(max_header_field), "64K", 998, 16 * MiB, NULL, NULL,
	  "Largest single header field, continuation lines included.  Larger: 552 5.6.0.\n"
	  "Header fields of MIME parts and attached messages: ten times this." },
	{ "max_headers", MG_OPT_INT, OFF(max_headers), "1000", 10, 100000, NULL, NULL,
	  "Most header fields in one message.  More: 552 5.6.0.\n"
	  "Header fields of MIME parts and attached messages, all together: ten times this." },
	{ "max_mime_depth", MG_OPT_INT, OFF(max_mime_depth), "10", 1, 100, NULL, NULL,
	  "Deepest nesting of multiparts and attached messages.  Deeper: 552 5.6.0." },
	{ "max_mime_parts", MG_OPT_INT, OFF(max_mime_parts), "500", 1, 100000, NULL, NULL,
	  "Most MIME parts (containers and leaves) in one message.  More: 552 5.6.0." },
	{ "max_part_size", MG_OPT_SIZE, OFF(max_part_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest decoded MIME leaf.  Larger: 552 5.3.4." },
	{ "max_decoded_total", MG_OPT_SIZE, OFF(max_decoded_total), "64M", 1 * KiB, 8 * GiB, NULL, NULL,
	  "Largest total of all decoded leaves of one message.  Larger: 552 5.3.4." },
	{ "max_processing_time", MG_OPT_TIME, OFF(max_processing_time), "120", 1, 3600, NULL, NULL,
	  "Seconds the end-of-message work may take before it fails with on_error." },

	/* --- issue 3: body and notice --- */
	{ "body_charset", MG_OPT_ENUM, OFF(body_charset), "utf-8", 0, 0, "utf-8|iso-2022-jp", NULL,
	  "Charset of the text body and of the header fields mugaika re-encodes.\n"
	  "iso-2022-jp: written as Windows' CP50220 does (NEC row 13 such as ①㈱,\n"
	  "NEC-selected IBM extensions such as 髙﨑, ¥ as JIS-Roman, half-width katakana\n"
	  "with ESC ( I); a part or field with a character no JIS row holds (an emoji,\n"
	  "𠮷) is sent as UTF-8 instead (logged), never with characters lost." },
	{ "html_defang_links", MG_OPT_BOOL, OFF(html_defang_links), "no", 0, 0, NULL, NULL,
	  "Show link targets of converted HTML as hxxp:// / hxxps:// so that they are\n"
	  "not clickable." },
	{ "html_max_output", MG_OPT_SIZE, OFF(html_max_output), "4M", 1 * KiB, 256 * MiB, NULL, NULL,
	  "Largest text made from one HTML part.  More: body_convert_fail." },
	{ "html_max_depth", MG_OPT_INT, OFF(html_max_depth), "256", 8, 10000, NULL, NULL,
	  "HTML elements nested deeper than this keep their text but lose their layout\n"
	  "(deeper start tags are dropped before the HTML parser sees them)." },
	{ "html_max_attributes", MG_OPT_INT, OFF(html_max_attributes), "64", 8, 10000, NULL, NULL,
	  "Attributes kept per HTML element; the rest are dropped before the HTML parser\n"
	  "sees them (libxml2 compares every attribute with all earlier ones: one element\n"
	  "with 400,000 attributes took minutes).  The text is not affected." },
	{ "alternative_stub_chars", MG_OPT_INT, OFF(alternative_stub_chars), "300", 0, 100000, NULL, NULL,
	  "multipart/alternative: the text/plain alternative is used, however short (a\n"
	  "two-line reply from Gmail or an iPhone), unless it is a stub: empty, or at most\n"
	  "this many non-blank characters that only point at the HTML (\"This is an HTML\n"
	  "message...\", \"HTMLメールです\", a MIME preamble).  Then the HTML is converted." },
	{ "body_convert_fail", MG_OPT_ENUM, OFF(body_convert_fail), "reject", 0, 0, "tempfail|reject", NULL,
	  "A body that cannot be converted to text (HTML over html_max_output, parser\n"
	  "failure, time limit): reject = 554 5.6.0, tempfail = 451 4.3.0.  Never\n"
	  "delivered as HTML." },
	{ "encrypted_action", MG_OPT_ENUM, OFF(encrypted_action), "reject", 0, 0, "reject|remove", NULL,
	  "Encrypted content (S/MIME enveloped-data, PGP/MIME multipart/encrypted) cannot\n"
	  "be sanitized.  reject = 554 5.7.1 with a reason; remove = the part is removed\n"
	  "and the notice says so.  Opaque-signed S/MIME is unwrapped (its signature is\n"
	  "removed, like multipart/signed); only when it cannot be read does this apply." },
	{ "body_only", MG_OPT_BOOL, OFF(body_only), "no", 0, 0, NULL, NULL,
	  "Body-only profile: every part that is not body text (every attachment, text\n"
	  "attachments included) is removed and listed in the notice.  For an approved,\n"
	  "time-limited period of inbound mail only, see the emergency-profile type of\n"
	  "exceptions_file." },
	{ "notice_position", MG_OPT_ENUM, OFF(notice_position), "top", 0, 0, "top|bottom", NULL,
	  "Where the notice to the recipient goes in the body text." },
	{ "notice_when", MG_OPT_ENUM, OFF(notice_when), "changed", 0, 0, "changed|always|never", NULL,
	  "changed: only when something was converted, rebuilt or removed, the body came\n"
	  "from HTML, or a signature was removed; always: on every message; never." },
	{ "notice_language", MG_OPT_ENUM, OFF(notice_language), "ja", 0, 0, "ja|en", NULL,
	  "Language of the notice template and its message catalog used when\n"
	  "notice_template / notice_reasons are empty, and of the image placeholder in\n"
	  "converted HTML." },
	{ "notice_template", MG_OPT_PATH, OFF(notice_template), "", 0, 0, NULL, NULL,
	  "Notice template file.  Empty: notice.<notice_language>.txt in the directory of\n"
	  "this configuration file, or the built-in copy of it when that file is not there.\n"
	  "Syntax: see the comment at the top of notice.ja.txt.  A broken template\n"
	  "(unknown section or placeholder, unclosed brace) is a load error." },
	{ "notice_reasons", MG_OPT_PATH, OFF(notice_reasons), "", 0, 0, NULL, NULL,
	  "Message catalog of the notice: the recipient's words for each reason and\n"
	  "removed element (the report and the logs keep the English).  Empty:\n"
	  "reasons.<notice_language>.txt in the directory of this configuration file,\n"
	  "or the built-in copy.  Syntax: see the comment at the top of reasons.ja.txt;\n"
	  "an error in it is a load error (file:line)." },

	/* --- issue 4a: attachments / CDR policy, filetype, OOXML, text --- */
	{ "attachment_rule", MG_OPT_LIST, OFF(attachment_rules),
	  "any application/vnd.openxmlformats-officedocument.* rebuild\n"
	  "any application/vnd.ms-word.document.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-word.template.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-excel.sheet.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-excel.template.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-powerpoint.presentation.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-powerpoint.slideshow.macroenabled.12 rebuild\n"
	  "any application/vnd.ms-powerpoint.template.macroenabled.12 rebuild\n"
	  "any application/vnd.oasis.opendocument.text rebuild\n"
	  "any application/vnd.oasis.opendocument.spreadsheet rebuild\n"
	  "any application/vnd.oasis.opendocument.presentation rebuild\n"
	  "any application/vnd.oasis.opendocument.graphics rebuild\n"
	  "any application/msword rebuild\nany application/vnd.ms-excel rebuild\n"
	  "any application/vnd.ms-powerpoint rebuild\nany application/pdf rebuild\n"
	  "any image/png rebuild\nany image/jpeg rebuild\nany image/gif rebuild\nany image/bmp rebuild\n"
	  "any image/tiff rebuild\nany image/webp rebuild\n"
	  "any application/zip rebuild\nany application/x-7z-compressed rebuild\nany application/x-rar rebuild\n"
	  "any application/vnd.rar rebuild\nany application/x-lzh-compressed rebuild\n"
	  "any application/vnd.ms-cab-compressed rebuild\nany application/x-tar rebuild\n"
	  "any application/gzip rebuild\nany application/x-bzip2 rebuild\nany application/x-xz rebuild\n"
	  "any application/vnd.ms-tnef rebuild\n"
	  "any text/rtf rebuild\nany text/csv rebuild\nany text/html to-text\n"
	  "any text/calendar to-text\nany text/vcard to-text\nany text/x-vcard to-text\nany text/plain keep\n"
	  "any * remove",
	  0, 0, NULL, NULL /* the cdr stage's check (registered) */,
	  "Attachment policy, one rule per line: [inbound|outbound|internal|transit|any]\n"
	  "TYPE-GLOB ACTION (no direction = any).  TYPE-GLOB matches the true type found\n"
	  "from the content (lower case, * and ? wildcards; `mugaika rebuild FILE` shows\n"
	  "the type of a file); the first matching rule wins.  ACTION: rebuild (in its\n"
	  "own format without active content), to-text (HTML, calendar, vCard), remove (with a\n"
	  "notice), reject (the whole message, 550 5.7.1), keep (unchanged, still virus\n"
	  "scanned).  A type no rule matches is removed; rebuild or to-text for an exact\n"
	  "type without a rebuilder is a configuration error (through a wildcard, the\n"
	  "file is removed).  Giving this key replaces the whole default list." },
	{ "attachment_on_mismatch", MG_OPT_ENUM, OFF(attachment_on_mismatch), "remove", 0, 0,
	  MG_DISP_VALUES_IGNORE, NULL,
	  "Content that is not what its filename extension or declared type says (an\n"
	  "executable named .pdf): remove the file, reject the message, quarantine (keep\n"
	  "the original and reject), or ignore (the true type decides alone)." },
	{ "attachment_on_double_extension", MG_OPT_ENUM, OFF(attachment_on_double_ext), "remove", 0, 0,
	  MG_DISP_VALUES_IGNORE, NULL,
	  "A name such as invoice.pdf.exe (a known extension before an executable,\n"
	  "script, shortcut or disk image one)." },
	{ "attachment_on_rtl_override", MG_OPT_ENUM, OFF(attachment_on_bidi), "remove", 0, 0,
	  MG_DISP_VALUES_IGNORE, NULL,
	  "A name with a bidirectional override (U+202E ...) that disguises its real\n"
	  "extension." },
	{ "unscannable_encrypted", MG_OPT_ENUM, OFF(unscannable_encrypted), "remove", 0, 0, MG_DISP_VALUES, NULL,
	  "An encrypted archive or document (the PPAP pattern) cannot be scanned or\n"
	  "rebuilt: remove it with a notice, reject the message, or quarantine (keep the\n"
	  "original and reject)." },
	{ "unscannable_corrupt", MG_OPT_ENUM, OFF(unscannable_corrupt), "remove", 0, 0, MG_DISP_VALUES, NULL,
	  "A corrupt or truncated file that cannot be rebuilt." },
	{ "unscannable_limits", MG_OPT_ENUM, OFF(unscannable_limits), "remove", 0, 0, MG_DISP_VALUES, NULL,
	  "A file over a budget (time, size, entries, expansion ratio, nesting)." },
	{ "attachment_time_budget", MG_OPT_TIME, OFF(attachment_time_budget), "30", 1, 3600, NULL, NULL,
	  "Seconds one attachment may take to rebuild (never past max_processing_time).\n"
	  "Over it the file is unscannable (unscannable_limits)." },
	{ "attachment_max_output", MG_OPT_SIZE, OFF(attachment_max_output), "32M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest rebuilt or converted file.  Larger: unscannable (unscannable_limits)." },
	{ "attachment_max_depth", MG_OPT_INT, OFF(attachment_max_depth), "5", 0, 50, NULL, NULL,
	  "Deepest nesting of files inside files (archive in archive) that is rebuilt.\n"
	  "Deeper: unscannable (unscannable_limits)." },
	{ "office_max_entries", MG_OPT_INT, OFF(office_max_entries), "5000", 10, 1000000, NULL, NULL,
	  "Most ZIP entries in one Office Open XML or OpenDocument file (docx, xlsx,\n"
	  "pptx, odt ...)." },
	{ "office_max_expanded", MG_OPT_SIZE, OFF(office_max_expanded), "200M", 1 * MiB, 4 * GiB, NULL, NULL,
	  "Largest total uncompressed size of one Office Open XML or OpenDocument file." },
	{ "office_max_ratio", MG_OPT_INT, OFF(office_max_ratio), "100", 2, 100000, NULL, NULL,
	  "Largest ratio of uncompressed to compressed size of one Office document\n"
	  "(a higher ratio is a decompression bomb: unscannable_limits)." },
	{ "office_keep_hyperlinks", MG_OPT_BOOL, OFF(office_keep_hyperlinks), "yes", 0, 0, NULL, NULL,
	  "Keep external hyperlinks in Office documents (they are listed in the report).\n"
	  "no: remove them with the other external relationships." },

	/* --- issue 12: what is delivered is built by mugaika (names, types, structure) --- */
	{ "text_attachment_extensions", MG_OPT_STR, OFF(text_attachment_extensions), "txt text log", 0, 0, NULL,
	  mg_check_extension_list,
	  "Extensions (space separated, without the dot) of files delivered as plain\n"
	  "text.  Every kept text file goes out as text/plain in UTF-8 with a name ending\n"
	  "in .txt: notes.log becomes notes.log.txt, a name without an extension gets\n"
	  ".txt.  The type and charset the sender declared are never copied." },
	{ "text_attachment_other", MG_OPT_ENUM, OFF(text_attachment_other), "remove", 0, 0, "remove|rename", NULL,
	  "A text file whose extension is not in text_attachment_extensions (x.hta,\n"
	  "x.iqy, x.desktop: text that Windows or a desktop runs or opens by its name):\n"
	  "remove it with a notice, or rename it and deliver it as plain text x.hta.txt.\n"
	  "The same holds for inline text parts with a name and for archive members." },

	/* --- issue 4b: PDF and images --- */
	{ "pdf_max_size", MG_OPT_SIZE, OFF(pdf_max_size), "20M", 1 * KiB, 1 * GiB, NULL, NULL,
	  "Largest PDF the PDF rebuilder opens.  Larger: unscannable." },
	{ "pdf_max_objects", MG_OPT_INT, OFF(pdf_max_objects), "200000", 100, 10000000, NULL, NULL,
	  "Most objects walked while disarming one PDF.  More: unscannable." },
	{ "image_max_pixels", MG_OPT_INT, OFF(image_max_pixels), "50000000", 1, 1000000000, NULL, NULL,
	  "Most pixels (width x height, summed over GIF frames and TIFF pages) the image\n"
	  "rebuilder decodes.  Checked from the header before any pixel memory is taken;\n"
	  "more (a pixel bomb): unscannable." },
	{ "image_max_dimension", MG_OPT_INT, OFF(image_max_dimension), "30000", 16, 1000000, NULL, NULL,
	  "Largest image width or height in pixels.  Larger: unscannable." },
	{ "image_max_frames", MG_OPT_INT, OFF(image_max_frames), "500", 1, 100000, NULL, NULL,
	  "Most frames of an animated GIF or pages of a TIFF.  More: unscannable." },
	{ "image_jpeg_quality", MG_OPT_INT, OFF(image_jpeg_quality), "90", 10, 100, NULL, NULL,
	  "Quality of re-encoded JPEG images (and of lossy WebP images)." },

	/* --- issue 4c: archives and OLE2 --- */
	{ "archive_max_depth", MG_OPT_INT, OFF(archive_max_depth), "5", 1, 20, NULL, NULL,
	  "Deepest nesting of archives inside archives (a zip in a zip is depth 2).\n"
	  "Deeper: the outermost archive is unscannable." },
	{ "archive_max_entries", MG_OPT_INT, OFF(archive_max_entries), "1000", 1, 100000, NULL, NULL,
	  "Most entries (files, directories, links) in one archive, counted while\n"
	  "reading.  More: the archive is unscannable." },
	{ "archive_max_entry_size", MG_OPT_SIZE, OFF(archive_max_entry_size), "50M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest unpacked archive member, counted while unpacking (header sizes are\n"
	  "not trusted).  Larger: the archive is unscannable." },
	{ "archive_max_total_size", MG_OPT_SIZE, OFF(archive_max_total_size), "100M", 1 * KiB, 8 * GiB, NULL, NULL,
	  "Most bytes unpacked from archives in one message, all archives and nesting\n"
	  "levels together.  More: the archive being unpacked is unscannable." },
	{ "archive_max_ratio", MG_OPT_INT, OFF(archive_max_ratio), "100", 2, 100000, NULL, NULL,
	  "Largest ratio of unpacked bytes to the archive's own size (zip bombs).\n"
	  "Checked while unpacking once archive_ratio_min_size bytes are unpacked.\n"
	  "Larger: the archive is unscannable." },
	{ "archive_ratio_min_size", MG_OPT_SIZE, OFF(archive_ratio_min_size), "1M", 0, 1 * GiB, NULL, NULL,
	  "archive_max_ratio is only applied once an archive has unpacked this many\n"
	  "bytes (small archives of text legitimately compress very well)." },
	{ "ole2_max_entries", MG_OPT_INT, OFF(ole2_max_entries), "10000", 10, 1000000, NULL, NULL,
	  "Most streams and storages examined in one legacy Office (OLE2) file.\n"
	  "More: the file is unscannable." },
	{ "ole2_max_depth", MG_OPT_INT, OFF(ole2_max_depth), "16", 2, 64, NULL, NULL,
	  "Deepest storage nesting in one OLE2 file.  Deeper: the file is unscannable." },
	{ "ole2_max_embedded_size", MG_OPT_SIZE, OFF(ole2_max_embedded_size), "50M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest object embedded in a PowerPoint file, decompressed to be examined.\n"
	  "Larger: the file is unscannable." },

	/* --- issue 5: virus scanning --- */
	{ "clamav_database", MG_OPT_STR, OFF(clamav_database), "/var/lib/clamav", 0, 0, NULL, NULL,
	  "Directory of ClamAV signature databases (*.cvd, *.cld, *.hdb, *.ndb ...), loaded\n"
	  "in-process by libclamav at start, on SIGHUP and when the directory changes." },
	{ "scan_allow_degraded", MG_OPT_BOOL, OFF(scan_allow_degraded), "no", 0, 0, NULL, NULL,
	  "no: the daemon refuses to start when the database cannot be loaded.  yes: it\n"
	  "starts anyway in degraded mode and answers every message 451 4.3.0 until a\n"
	  "database loads (checked every scan_db_check_interval and on SIGHUP)." },
	{ "scan_on_infected", MG_OPT_ENUM, OFF(scan_on_infected), "reject", 0, 0, "reject|quarantine|remove", NULL,
	  "A part or the message matches a signature.  reject = 550 5.7.1 naming the\n"
	  "signature; quarantine = keep the original in quarantine and reject; remove =\n"
	  "drop the infected part and tell the recipient in the notice." },
	{ "scan_on_unscannable", MG_OPT_ENUM, OFF(scan_on_unscannable), "remove", 0, 0, "remove|tempfail|reject",
	  NULL,
	  "A part cannot be scanned completely (encrypted archive or document, over a scan\n"
	  "limit, scan time exceeded, RAR without libclamunrar).  Never delivered as clean.\n"
	  "remove = drop the part and tell the recipient; tempfail = 451 4.7.1; reject =\n"
	  "554 5.7.1.  A whole message that cannot be scanned after rebuilding is never\n"
	  "delivered: tempfail (reject when this is reject)." },
	{ "scan_message_mime", MG_OPT_ENUM, OFF(scan_message_mime), "auto", 0, 0, "auto|always", NULL,
	  "Who reads the MIME structure of the message as received, next to mugaika's own\n"
	  "parser (whose every part is scanned decoded, and whose parts alone are delivered).\n"
	  "auto = libclamav's mail parser reads it too whenever the two readings could\n"
	  "differ or libclamav would look deeper into a text (a second Content-Type field,\n"
	  "a boundary written twice or in other letter case, text outside the parts, an\n"
	  "HTML part, files encoded inside text, a bounce); otherwise the message is scanned\n"
	  "as raw text without it, which saves libclamav's temporary files (about two\n"
	  "thirds of a plain message's work).  always = every message, as clamav-milter does.\n"
	  "The report's scan section says which, and why (mime_parse)." },
	{ "scan_max_scan_size", MG_OPT_SIZE, OFF(scan_max_scan_size), "200M", 1 * MiB, 4 * GiB, NULL, NULL,
	  "Most data ClamAV reads for one scan, unpacked content included.  More: unscannable." },
	{ "scan_max_file_size", MG_OPT_SIZE, OFF(scan_max_file_size), "64M", 1 * MiB, 4 * GiB, NULL, NULL,
	  "Largest file (message, part, archive member) ClamAV scans.  Larger: unscannable.\n"
	  "Keep it at least max_message_size, or large mail is unscannable." },
	{ "scan_max_recursion", MG_OPT_INT, OFF(scan_max_recursion), "17", 1, 64, NULL, NULL,
	  "Deepest nesting of archives/containers ClamAV unpacks.  Deeper: unscannable." },
	{ "scan_max_files", MG_OPT_INT, OFF(scan_max_files), "10000", 1, 1000000, NULL, NULL,
	  "Most files ClamAV unpacks from one scanned object.  More: unscannable." },
	{ "scan_max_time", MG_OPT_TIME, OFF(scan_max_time), "60", 1, 3600, NULL, NULL,
	  "Longest one scan may take.  Longer: unscannable." },
	{ "scan_alert_encrypted_archives", MG_OPT_BOOL, OFF(scan_alert_encrypted_archives), "yes", 0, 0, NULL,
	  NULL,
	  "yes: encrypted archives (zip, 7z ...) are unscannable: their content cannot be\n"
	  "checked.  no: ClamAV passes them unopened (the attachment policy still decides)." },
	{ "scan_alert_encrypted_docs", MG_OPT_BOOL, OFF(scan_alert_encrypted_docs), "yes", 0, 0, NULL, NULL,
	  "yes: encrypted documents that ClamAV recognizes (PDF) are unscannable.\n"
	  "libclamav 1.4 does not flag password-protected Office files; the Office\n"
	  "rebuilder has to." },
	{ "scan_alert_macros", MG_OPT_BOOL, OFF(scan_alert_macros), "no", 0, 0, NULL, NULL,
	  "OLE2 documents with VBA macros count as infected (Heuristics.OLE2.ContainsMacros).\n"
	  "Off by default: the attachment rebuilder removes macros instead." },
	{ "scan_alert_broken_executables", MG_OPT_BOOL, OFF(scan_alert_broken_executables), "yes", 0, 0, NULL,
	  NULL, "Malformed PE/ELF executables count as infected (Heuristics.Broken.Executable)." },
	{ "scan_alert_phishing", MG_OPT_BOOL, OFF(scan_alert_phishing), "no", 0, 0, NULL, NULL,
	  "Cloaked links and SSL mismatches in HTML count as infected (Heuristics.Phishing).\n"
	  "Off by default: false positives on legitimate newsletters are common." },
	{ "scan_db_warn_age", MG_OPT_TIME, OFF(scan_db_warn_age), "2d", 3600, 365 * 86400, NULL, NULL,
	  "A loaded database older than this is logged as a warning (hourly)." },
	{ "scan_db_max_age", MG_OPT_TIME, OFF(scan_db_max_age), "7d", 3600, 365 * 86400, NULL, NULL,
	  "A loaded database older than this stops mail: every message gets 451 4.3.0\n"
	  "until a newer database is loaded (stale patterns must not be trusted).  Age =\n"
	  "build time of the official databases, else the newest file in clamav_database." },
	{ "scan_db_check_interval", MG_OPT_TIME, OFF(scan_db_check_interval), "300", 0, 86400, NULL, NULL,
	  "The daemon checks clamav_database for changes this often and loads a new engine\n"
	  "in the background (0: only on SIGHUP).  Mail in flight finishes on the old one." },

	/* --- issue 6: boundary policy --- */
	{ "internal_network", MG_OPT_LIST, OFF(internal_network), "", 0, 0, NULL, NULL /* the policy stage's check (registered) */,
	  "A network of the internal zone (LGWAN side, or the organisation in gateway\n"
	  "mode) as CIDR, IPv4 or IPv6; repeat the key for more.  Mail from a client in\n"
	  "one of them is internal-origin; all other clients are external.  The MTA's own\n"
	  "re-injection (local forwarding) arrives from 127.0.0.1/::1: list those too.\n"
	  "Example: internal_network = 10.0.0.0/8" },
	{ "internal_domain", MG_OPT_LIST, OFF(internal_domain), "", 0, 0, NULL, NULL /* the policy stage's check (registered) */,
	  "A mail domain of the organisation; its subdomains match too.  Repeat the key\n"
	  "for more.  Recipients in these domains are internal.  Required: mugaika-milter\n"
	  "and `mugaika check-config` refuse a configuration without it (exit 78), so the\n"
	  "MTA keeps mail queued until it is set; without it no recipient is internal and\n"
	  "every outside-to-outside recipient is refused (issue 16)." },
	{ "zone_mode", MG_OPT_ENUM, OFF(zone_mode), "lgwan", 0, 0, "lgwan|gateway", NULL,
	  "lgwan: the relay joins the LGWAN zone (internal_network) and the Internet;\n"
	  "nobody on the Internet side may relay to the Internet, whatever sender they\n"
	  "claim.  gateway: zone-less mode for organisations without LGWAN (one network\n"
	  "behind one gateway); an external client that authenticated to the MTA (SMTP\n"
	  "AUTH, macro {auth_authen}) with an internal envelope sender may also send\n"
	  "out (roaming staff).  The relay guard itself is always on." },
	{ "inbound_max_message_size", MG_OPT_SIZE, OFF(inbound_max_message_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest inbound message (Internet -> internal), headers and body as received.\n"
	  "Checked at MAIL FROM (SIZE=), while the body streams in and at the end:\n"
	  "552 5.3.4.  max_message_size caps every direction." },
	{ "outbound_max_message_size", MG_OPT_SIZE, OFF(outbound_max_message_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest outbound or internal message (from an internal client).  552 5.3.4." },
	{ "max_recipients", MG_OPT_INT, OFF(max_recipients), "100", 1, 100000, NULL, NULL,
	  "Most envelope recipients in one message.  Each recipient past the limit gets\n"
	  "452 4.5.3 (RFC 5321: the client sends the rest in another transaction)." },
	{ "max_attachments", MG_OPT_INT, OFF(max_attachments), "50", 1, 100000, NULL, NULL,
	  "Most attachments (MIME leaves that are not body text) in one message.\n"
	  "More: 552 5.3.4." },
	{ "inbound_max_attachment_size", MG_OPT_SIZE, OFF(inbound_max_attachment_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest single decoded attachment of an inbound message.  Larger: 552 5.3.4." },
	{ "outbound_max_attachment_size", MG_OPT_SIZE, OFF(outbound_max_attachment_size), "20M", 1 * KiB, 2 * GiB, NULL, NULL,
	  "Largest single decoded attachment of an outbound or internal message." },
	{ "inbound_max_decoded_total", MG_OPT_SIZE, OFF(inbound_max_decoded_total), "64M", 1 * KiB, 8 * GiB, NULL, NULL,
	  "Largest total of all decoded MIME leaves of an inbound message (max_decoded_total\n"
	  "caps every direction).  Larger: 552 5.3.4." },
	{ "outbound_max_decoded_total", MG_OPT_SIZE, OFF(outbound_max_decoded_total), "64M", 1 * KiB, 8 * GiB, NULL, NULL,
	  "Largest total of all decoded MIME leaves of an outbound or internal message." },
	{ "auto_forward_outbound", MG_OPT_ENUM, OFF(auto_forward_outbound), "deny", 0, 0, "deny|permit-list|log-only|off", NULL,
	  "Automatically forwarded mail leaving for the Internet.  deny: 550 5.7.1;\n"
	  "permit-list: only forwards listed in auto_forward_permit_file (live entry for\n"
	  "source and every destination) pass, each use logged; log-only: pass and log.\n"
	  "Markers: Auto-Submitted other than no, X-MS-Exchange-Inbox-Rules-Loop,\n"
	  "X-MS-Exchange-Generated-Message-Source, X-Forwarded-To/-For,\n"
	  "X-Sieve-Redirected-From, Resent-From/-To/-Sender, Delivered-To of an internal\n"
	  "mailbox, SRS envelope sender, a foreign header From sent by an internal\n"
	  "host for an internal envelope sender, and (auto_forward_foreign_sender) a\n"
	  "foreign envelope sender from an internal host." },
	{ "auto_forward_inbound", MG_OPT_ENUM, OFF(auto_forward_inbound), "log-only", 0, 0, "deny|permit-list|log-only|off", NULL,
	  "Automatically forwarded mail arriving from the Internet (an outside account\n"
	  "forwarding into the internal zone).  Same modes and markers as outbound." },
	{ "auto_forward_allow_replies", MG_OPT_BOOL, OFF(auto_forward_allow_replies), "yes", 0, 0, NULL, NULL,
	  "Auto-Submitted: auto-replied with a null envelope sender (vacation replies,\n"
	  "RFC 3834) is a reply, not a forward, and is not counted as a marker." },
	{ "auto_forward_foreign_sender", MG_OPT_BOOL, OFF(auto_forward_foreign_sender), "yes", 0, 0, NULL, NULL,
	  "Also count as a forward marker: outbound mail from an internal host whose\n"
	  "envelope sender is outside internal_domain (a mailbox re-sending mail it\n"
	  "received keeps the original sender).  Say no if internal hosts legitimately\n"
	  "send for foreign domains (e.g. hosted mailing lists)." },
	{ "auto_forward_permit_file", MG_OPT_PATH, OFF(auto_forward_permit_file), "", 0, 0, NULL, NULL,
	  "Permitted forwards (required by the permit-list mode), one per line:\n"
	  "ID SOURCE DESTINATION APPROVER EXPIRES REASON...  (see permit-forward.list).\n"
	  "A bad line, a bad or past expiry date fails the load with file:line." },
	{ "bcc_max_visible_external", MG_OPT_INT, OFF(bcc_max_visible_external), "10", 0, 100000, NULL, NULL,
	  "Outbound mail may show at most this many distinct external addresses in\n"
	  "To and Cc (use Bcc for more).  0 turns the rule off." },
	{ "bcc_action", MG_OPT_ENUM, OFF(bcc_action), "log", 0, 0, "log|reject", NULL,
	  "What happens over bcc_max_visible_external: log, or reject with 550 5.7.1." },
	{ "bcc_exempt_sender", MG_OPT_LIST, OFF(bcc_exempt_sender), "", 0, 0, NULL, NULL /* the policy stage's check (registered) */,
	  "Envelope senders exempt from the Bcc rule: an address or @domain; repeat." },
	{ "policy_replies", MG_OPT_PATH, OFF(policy_replies), "", 0, 0, NULL, NULL,
	  "File of SMTP reply templates for the boundary rules (see replies.conf);\n"
	  "empty: the built-in texts.  ASCII only." },

	/* --- issue 16 (policyA): profiles per direction, outbound encryption,
	 * header hygiene, sender authentication; value checks registered by the
	 * policy stage --- */
	{ "inbound_profile", MG_OPT_ENUM, OFF(inbound_profile), "sanitize", 0, 0, "sanitize|scan", NULL,
	  "What is done to the content of inbound mail (from a client outside\n"
	  "internal_network).  sanitize: 無害化 - every part rebuilt or converted, the\n"
	  "notice, the original quarantined.  scan: scanned and checked against the\n"
	  "policy, delivered unchanged; allowed only with zone_mode = gateway (mail\n"
	  "into LGWAN must be sanitized)." },
	{ "outbound_profile", MG_OPT_ENUM, OFF(outbound_profile), "scan", 0, 0, "sanitize|scan", NULL,
	  "What is done to the content of outbound mail (internal client, external\n"
	  "recipients).  scan: every decoded part virus-scanned, the policy rules\n"
	  "applied (sizes, encryption, ...), the content delivered unchanged, so\n"
	  "signatures and encrypted files go out as they are; sanitize: as inbound." },
	{ "internal_profile", MG_OPT_ENUM, OFF(internal_profile), "scan", 0, 0, "sanitize|scan", NULL,
	  "What is done to the content of internal mail (internal client, internal\n"
	  "recipients only)." },
	{ "approved_encryption", MG_OPT_LIST, OFF(approved_encryption),
	  "smime\npgp\nzip-aes256\n7z-aes256\npdf-aes256\noffice-aes", 0, 0, NULL, NULL,
	  "An encryption scheme the organisation approves for outbound mail that must be\n"
	  "encrypted; repeat the key (giving it replaces the whole list).  Schemes: smime,\n"
	  "pgp (the whole message), zip-aes256, zip-aes192, zip-aes128, 7z-aes256,\n"
	  "pdf-aes256, pdf-aes128, office-aes (attachments), and the weak ones\n"
	  "zip-zipcrypto, pdf-rc4, office-rc4 (breakable; listed only if you must)." },
	{ "encryption_required", MG_OPT_ENUM, OFF(encryption_required), "labelled", 0, 0, "off|labelled|always", NULL,
	  "When outbound mail must be encrypted.  labelled: a label of\n"
	  "encryption_required_label is in the Subject or an attachment name (or another\n"
	  "rule, e.g. the exfiltration rules, asks for it); always: every outbound\n"
	  "message; off: never.  Encrypted = the message is S/MIME or PGP encrypted, or\n"
	  "every attachment is encrypted (the body text may stay in clear)." },
	{ "encryption_required_label", MG_OPT_LIST, OFF(encryption_required_label),
	  "機密性2\n機密性3\n機密性区分Ⅰ\n機密性区分Ⅱ\n重要性分類Ⅰ\n重要性分類Ⅱ", 0, 0, NULL, NULL,
	  "A classification label that makes outbound mail need encryption; repeat the\n"
	  "key (giving it replaces the list).  Compared after NFKC normalisation with\n"
	  "spaces removed: 【機密性２】 and 自治体機密性 2 contain 機密性2." },
	{ "encryption_missing_action", MG_OPT_ENUM, OFF(encryption_missing_action), "reject", 0, 0,
	  "log|reject|quarantine", NULL,
	  "Outbound mail that must be encrypted and is not: log (deliver, log and\n"
	  "report), reject (550 5.7.1 with the reason), quarantine (keep the original and\n"
	  "refuse)." },
	{ "encryption_unapproved_action", MG_OPT_ENUM, OFF(encryption_unapproved_action), "reject", 0, 0,
	  "log|reject|quarantine", NULL,
	  "Outbound mail that must be encrypted and uses a scheme not listed in\n"
	  "approved_encryption (e.g. ZipCrypto): log, reject (550 5.7.1) or quarantine.\n"
	  "A weak scheme on mail that need not be encrypted is only reported." },
	{ "auth_serv_id", MG_OPT_STR, OFF(auth_serv_id), "", 0, 0, NULL, NULL,
	  "The authserv-id of mugaika's Authentication-Results field (RFC 8601), e.g. the\n"
	  "relay's host name; empty: the host name.  Incoming Authentication-Results\n"
	  "fields claiming this id are removed from every message (forged or stale)." },
	{ "auth_mode", MG_OPT_ENUM, OFF(auth_mode), "verify", 0, 0, "verify|trust-upstream|off", NULL,
	  "Sender authentication of inbound mail, before the rebuild.  verify: SPF, DKIM\n"
	  "and DMARC checked here (libspf2, libopendkim, libopendmarc, DNS below);\n"
	  "trust-upstream: the results of the Authentication-Results fields of\n"
	  "auth_trusted_serv_id (OpenDKIM/OpenDMARC milters before mugaika, or a front\n"
	  "MX) are restated, no DNS; off: no authentication (header hygiene still\n"
	  "applies).  See docs/sender-auth.md." },
	{ "auth_trusted_serv_id", MG_OPT_LIST, OFF(auth_trusted_serv_id), "", 0, 0, NULL, NULL,
	  "An authserv-id whose Authentication-Results are trusted with\n"
	  "auth_mode = trust-upstream (required then); repeat for more.  The MTA must\n"
	  "remove such fields arriving from outside (Postfix header_checks, see\n"
	  "docs/sender-auth.md): mugaika cannot tell them from the verifier's own." },
	{ "auth_dns_server", MG_OPT_STR, OFF(auth_dns_server), "", 0, 0, NULL, NULL,
	  "DNS server for SPF, DKIM and DMARC lookups: IPv4[:PORT]; empty: the servers of\n"
	  "/etc/resolv.conf." },
	{ "auth_dns_timeout", MG_OPT_TIME, OFF(auth_dns_timeout), "5", 1, 60, NULL, NULL,
	  "Seconds to wait for one DNS answer.  No answer: the check is temperror,\n"
	  "never \"no record\"." },
	{ "auth_time_budget", MG_OPT_TIME, OFF(auth_time_budget), "20", 1, 300, NULL, NULL,
	  "Seconds all DNS lookups of one message may take together; past it the\n"
	  "remaining checks are temperror." },
	{ "auth_dns_cache_size", MG_OPT_INT, OFF(auth_dns_cache_size), "10000", 0, 1000000, NULL, NULL,
	  "DNS answers kept in the daemon's cache (0: no cache).  Failures are never\n"
	  "cached; a reload starts a new cache." },
	{ "auth_dns_cache_max_ttl", MG_OPT_TIME, OFF(auth_dns_cache_max_ttl), "3600", 0, 86400, NULL, NULL,
	  "Longest time a cached answer is used (the record's TTL if shorter; \"no such\n"
	  "record\" answers at most 300 seconds)." },
	{ "auth_public_suffix_list", MG_OPT_STR, OFF(auth_public_suffix_list),
	  "/usr/share/publicsuffix/public_suffix_list.dat", 0, 0, NULL, NULL,
	  "The public suffix list that gives a domain's organisational domain (DMARC\n"
	  "policy lookup and relaxed alignment); Debian package publicsuffix.  Needed\n"
	  "with auth_mode = verify; read again on reload when the path changes." },
	{ "auth_max_signatures", MG_OPT_INT, OFF(auth_max_signatures), "5", 1, 50, NULL, NULL,
	  "Most DKIM signatures verified per message (the first ones; others ignored)." },
	{ "auth_on_spf_fail", MG_OPT_ENUM, OFF(auth_on_spf_fail), "annotate", 0, 0, "annotate|quarantine|reject", NULL,
	  "SPF fail (and DMARC not passing): annotate (our Authentication-Results and a\n"
	  "warning line at the top of the notice), quarantine (keep the original, 550\n"
	  "5.7.1) or reject (550 5.7.1)." },
	{ "auth_on_dkim_fail", MG_OPT_ENUM, OFF(auth_on_dkim_fail), "annotate", 0, 0, "annotate|quarantine|reject", NULL,
	  "Only failing DKIM signatures (and DMARC not passing): as auth_on_spf_fail." },
	{ "auth_on_dmarc_fail", MG_OPT_ENUM, OFF(auth_on_dmarc_fail), "annotate", 0, 0,
	  "annotate|quarantine|reject|policy", NULL,
	  "DMARC fail: as auth_on_spf_fail, or policy: what the From domain publishes\n"
	  "(p=reject refuses, p=quarantine quarantines, p=none annotates; pct below 100\n"
	  "is one step less strict)." },
	{ "auth_on_temperror", MG_OPT_ENUM, OFF(auth_on_temperror), "annotate", 0, 0, "annotate|tempfail", NULL,
	  "A check that could not be completed (DNS timeout, SERVFAIL, malformed record)\n"
	  "and no DMARC pass: annotate, or tempfail (451 4.7.1: the sender retries)." },
	{ "auth_on_lookalike", MG_OPT_ENUM, OFF(auth_on_lookalike), "annotate", 0, 0, "annotate|quarantine|reject",
	  NULL,
	  "Mail from outside that imitates the organisation: an internal From domain\n"
	  "without authentication, a domain that looks like an internal or protected one\n"
	  "(Unicode confusables, IDN homoglyphs, auth_lookalike_distance typos), or a\n"
	  "display name carrying a protected name or an internal address." },
	{ "auth_protected_domain", MG_OPT_LIST, OFF(auth_protected_domain), "", 0, 0, NULL, NULL,
	  "A domain to protect from imitation besides internal_domain (the prefecture,\n"
	  "partner organisations); repeat.  IDN domains in their xn-- form." },
	{ "auth_protected_name", MG_OPT_LIST, OFF(auth_protected_name), "", 0, 0, NULL, NULL,
	  "A display name to protect (市長, 総務課, the organisation's name); repeat.  A\n"
	  "sender outside the internal domains whose display name contains it (after NFKC\n"
	  "and case folding, spaces removed, or by confusable skeleton) gets a warning." },
	{ "auth_lookalike_distance", MG_OPT_INT, OFF(auth_lookalike_distance), "1", 0, 3, NULL, NULL,
	  "Edits (a transposition counts once) by which a domain of at least 6\n"
	  "characters may differ from a protected one and still count as imitating it;\n"
	  "0: confusable skeletons must be equal." },
	/* --- issue 16 (items 5-9): outbound controls (docs/outbound-controls.md) --- */
	{ "exfil_rules", MG_OPT_LIST, OFF(exfil_rules), "", 0, 0, NULL, NULL,
	  "A file of exfiltration rules (F24): label vocabulary, keyword and regular-\n"
	  "expression dictionaries, the individual-number detector; repeat the key for\n"
	  "more files (see exfil-labels.rules, exfil-dictionary.rules).  Searched in the\n"
	  "Subject, body text, attachment names and the text and properties of\n"
	  "attachments; each rule's action is log, alert, hold or reject.  A bad line\n"
	  "fails the load with file:line.  None: no exfiltration rules." },
	{ "exfil_scope", MG_OPT_ENUM, OFF(exfil_scope), "outbound", 0, 0, "outbound|outbound+internal|all", NULL,
	  "Which mail the exfiltration rules look at: outbound (internal client, an\n"
	  "external recipient), also internal mail, or all mail." },
	{ "exfil_max_text", MG_OPT_SIZE, OFF(exfil_max_text), "4M", 64 * KiB, 256 * MiB, NULL, NULL,
	  "Text examined per message by the exfiltration rules (Subject, body, names,\n"
	  "attachment text, in that order); the rest is not searched and the audit\n"
	  "record says \"truncated\"." },
	{ "exfil_attachment_text", MG_OPT_BOOL, OFF(exfil_attachment_text), "yes", 0, 0, NULL, NULL,
	  "Also search the text of attachments: text files, OOXML and ODF document text\n"
	  "and properties, PDF document properties (Info and unfiltered XMP; not page\n"
	  "text), ZIP member names (bounded by office_max_entries and\n"
	  "office_max_expanded).  no: attachment names only." },
	{ "outbound_abuse_action", MG_OPT_ENUM, OFF(outbound_abuse_action), "alert", 0, 0, "alert|stop-sender|stop-all",
	  NULL,
	  "Outbreak guard (F27, R10.1): what happens when a sender or client passes an\n"
	  "outbreak_* threshold.  alert: an alert only; stop-sender: the sender (or the\n"
	  "client address, for client thresholds) also gets 451 4.7.1 until\n"
	  "`mugaika start sender ADDR` / `start client IP`; stop-all: all outbound mail\n"
	  "stops (as `mugaika stop out`).  Stops survive restarts (stop_state_file)." },
	{ "outbreak_window", MG_OPT_TIME, OFF(outbreak_window), "600", 60, 86400, NULL, NULL,
	  "Sliding window of the outbreak counters (in process memory)." },
	{ "outbreak_sender_messages", MG_OPT_INT, OFF(outbreak_sender_messages), "200", 0, 1000000, NULL, NULL,
	  "More outbound messages than this from one sender (SMTP AUTH identity, else\n"
	  "envelope sender) within outbreak_window trigger outbound_abuse_action.  0: off." },
	{ "outbreak_sender_recipients", MG_OPT_INT, OFF(outbreak_sender_recipients), "1000", 0, 10000000, NULL, NULL,
	  "More external recipients than this from one sender within the window.  0: off." },
	{ "outbreak_client_messages", MG_OPT_INT, OFF(outbreak_client_messages), "1000", 0, 1000000, NULL, NULL,
	  "More outbound messages than this from one client address within the window.\n"
	  "0: off." },
	{ "outbreak_client_recipients", MG_OPT_INT, OFF(outbreak_client_recipients), "5000", 0, 10000000, NULL, NULL,
	  "More external recipients than this from one client address.  0: off." },
	{ "outbreak_virus_hits", MG_OPT_INT, OFF(outbreak_virus_hits), "1", 0, 1000000, NULL, NULL,
	  "This many outbound messages with a virus from one sender or client within\n"
	  "the window trigger outbound_abuse_action (each one is alerted anyway).  0: off." },
	{ "outbreak_max_tracked", MG_OPT_INT, OFF(outbreak_max_tracked), "10000", 100, 1000000, NULL, NULL,
	  "Senders and clients the outbreak counters remember at once (bounded memory;\n"
	  "the least recently seen is forgotten first)." },
	{ "stop_state_file", MG_OPT_STR, OFF(stop_state_file), LOCALSTATEDIR "/lib/mugaika/stop.state", 0, 0, NULL,
	  NULL,
	  "State of the stop switch (`mugaika stop in|out|all|sender|client`, and stops\n"
	  "of the outbreak guard), JSON, in a directory the daemon's user may write.\n"
	  "Checked at every MAIL FROM; missing: nothing stopped; unreadable: every\n"
	  "message gets the on_error answer." },
	{ "hold_external_recipients", MG_OPT_INT, OFF(hold_external_recipients), "0", 0, 100000, NULL, NULL,
	  "Approval hold (F26): outbound mail with more external envelope recipients\n"
	  "than this is held (`mugaika hold`).  0: off.  Exfiltration rules with\n"
	  "action = hold and freemail_action = hold hold mail too." },
	{ "hold_release", MG_OPT_ENUM, OFF(hold_release), "approval", 0, 0, "approval|delay", NULL,
	  "approval: held mail leaves only with `mugaika hold approve ID`; delay: it\n"
	  "leaves by itself once hold_delay has passed (`mugaika hold release-due`, run\n"
	  "every minute from cron or a timer), unless rejected before." },
	{ "hold_delay", MG_OPT_TIME, OFF(hold_delay), "600", 10, 7 * 86400, NULL, NULL,
	  "The misdelivery window of hold_release = delay." },
	{ "hold_approver_distinct", MG_OPT_BOOL, OFF(hold_approver_distinct), "yes", 0, 0, NULL, NULL,
	  "The person who approves held mail (login name, SUDO_USER under sudo) must not\n"
	  "be its sender (AUTH identity, envelope sender or its local part)." },
	{ "freemail_domains_file", MG_OPT_STR, OFF(freemail_domains_file), "", 0, 0, NULL, NULL,
	  "Free web mail and online-storage domains (F30; see freemail-domains.list):\n"
	  "DOMAIN, @DOMAIN or USER@DOMAIN per line.  Empty: no list." },
	{ "freemail_action", MG_OPT_ENUM, OFF(freemail_action), "log", 0, 0, "log|hold|block|permit-list", NULL,
	  "Outbound mail to a listed recipient: log (audit record), hold (approval hold),\n"
	  "block (550 5.7.1 for that recipient), permit-list (refused unless a live\n"
	  "destination-permit exception covers sender and recipient)." },
	{ "forbidden_destinations_file", MG_OPT_STR, OFF(forbidden_destinations_file), "", 0, 0, NULL, NULL,
	  "Destinations mail must never reach (R1.3: the My Number zone), same format;\n"
	  "in every direction a listed recipient gets 550 5.7.1 and an alert is raised." },
	{ "exceptions_file", MG_OPT_STR, OFF(exceptions_file), "", 0, 0, NULL, NULL,
	  "The exception and permit registry (F10, F48; see exceptions.conf): types\n"
	  "sanitize-bypass (never bypasses the virus scan), size-raise, auto-forward,\n"
	  "bcc-exempt, destination-permit, exfil-permit, emergency-profile (F31: a\n"
	  "time-limited body-only or cdr-fallback mode of inbound sanitization), each\n"
	  "with requester, approver (not the requester), reason, granted and expiry;\n"
	  "every use is logged and in the audit record; review with `mugaika\n"
	  "exceptions`.  Empty: none." },

	/* --- issue 7: quarantine and audit --- */
	{ "quarantine_dir", MG_OPT_STR, OFF(quarantine_dir), LOCALSTATEDIR "/lib/mugaika/quarantine", 0, 0, NULL,
	  NULL,
	  "Directory of the quarantine store: the original of every kept message and its\n"
	  "metadata (YYYYMMDD/ID.eml and ID.json, mode 0600, owned by the daemon's user).\n"
	  "Created on first use.  If an original cannot be stored there (missing, read-only,\n"
	  "disk full) the message is tempfailed: nothing is delivered without its original." },
	{ "quarantine_keep", MG_OPT_ENUM, OFF(quarantine_keep), "modified+blocked", 0, 0,
	  "modified+blocked|modified|blocked|all|none", NULL,
	  "Which originals are kept: modified+blocked = every message that was changed\n"
	  "(a part converted, rebuilt or removed) and every message rejected after its body\n"
	  "was read; all = every message; none = only those a rule marks for quarantine." },
	{ "quarantine_retention_modified", MG_OPT_TIME, OFF(quarantine_retention_modified), "90d", 3600,
	  100 * 365 * 86400LL, NULL, NULL,
	  "How long `mugaika quarantine purge` keeps originals of modified messages." },
	{ "quarantine_retention_blocked", MG_OPT_TIME, OFF(quarantine_retention_blocked), "180d", 3600,
	  100 * 365 * 86400LL, NULL, NULL,
	  "How long `mugaika quarantine purge` keeps originals of blocked messages." },
	{ "quarantine_retention_clean", MG_OPT_TIME, OFF(quarantine_retention_clean), "30d", 3600,
	  100 * 365 * 86400LL, NULL, NULL,
	  "How long `mugaika quarantine purge` keeps originals of unchanged messages\n"
	  "(kept with quarantine_keep = all).  Entries on legal hold are never purged." },
	{ "audit_log", MG_OPT_STR, OFF(audit_log), LOCALSTATEDIR "/log/mugaika/audit.log", 0, 0, NULL,
	  NULL,
	  "Audit log: one hash-chained JSON line per message (`mugaika audit verify FILE`\n"
	  "checks the chain).  Empty: no audit file (syslog summary only; not recommended)." },
	{ "on_audit_failure", MG_OPT_ENUM, OFF(on_audit_failure), "tempfail", 0, 0, "tempfail|continue", NULL,
	  "When the audit record cannot be written: tempfail = 451 4.3.0, the MTA keeps\n"
	  "the message queued (no record, no mail across the boundary); continue = deliver\n"
	  "and log an error to syslog." },
	{ "admin_audit_log", MG_OPT_STR, OFF(admin_audit_log), LOCALSTATEDIR "/log/mugaika/admin.log", 0, 0,
	  NULL, NULL,
	  "Admin audit log (hash-chained JSON lines): every `mugaika quarantine` command,\n"
	  "release and purge, with who ran it.  Quarantine commands refuse to run when\n"
	  "they cannot write it.  Empty: none." },
	{ "release_sendmail", MG_OPT_STR, OFF(release_sendmail), "/usr/sbin/sendmail", 0, 0, NULL,
	  NULL,
	  "`mugaika quarantine release` re-injects the original with `PATH -i -f SENDER ADDR`.\n"
	  "Make sure this path does not pass the milter again (Postfix: keep mugaika out\n"
	  "of non_smtpd_milters)." },
	{ "release_smtp_host", MG_OPT_STR, OFF(release_smtp_host), "", 0, 0, NULL, NULL,
	  "Release over SMTP to HOST:PORT instead of release_sendmail (e.g. a Postfix\n"
	  "listener without the milter: 127.0.0.1:10026).  Empty: use release_sendmail." },
	{ "release_timeout", MG_OPT_TIME, OFF(release_timeout), "120", 5, 3600, NULL, NULL,
	  "Seconds a release may take (sendmail or SMTP) before it fails." },
	/* --- issue 17: accountability (docs/audit-format.md, docs/alerts.md) --- */
	{ "log_timezone", MG_OPT_STR, OFF(log_timezone), "+09:00", 0, 0, NULL, mg_clock_check_offset,
	  "UTC offset of every time in the logs, quarantine metadata and reports\n"
	  "(ISO 8601 with milliseconds), whatever the host's time zone: +HH:MM, -HH:MM or Z.\n"
	  "Report dates (YYYY-MM-DD) are days of this offset." },
	{ "clock_check_interval", MG_OPT_TIME, OFF(clock_check_interval), "1h", 0, 86400, NULL, NULL,
	  "How often the daemon checks that the system clock is synchronised (the kernel's\n"
	  "NTP state, as `timedatectl` shows it; set up systemd-timesyncd or chrony).  An\n"
	  "unsynchronised clock is logged and alerted (clock-unsynchronized).  0 = only at start." },
	{ "audit_key_file", MG_OPT_STR, OFF(audit_key_file), SYSCONFDIR "/mugaika/audit.key", 0, 0, NULL, NULL,
	  "Secret HMAC-SHA-256 keys of the audit and admin logs (mode 0600, owner root;\n"
	  "`mugaika audit key generate` makes it, `mugaika audit key rotate` adds a key).\n"
	  "The daemon makes it at its first start when it is missing and it runs as root.\n"
	  "Under systemd, LoadCredential=audit.key:PATH is read first." },
	{ "audit_syslog", MG_OPT_STR, OFF(audit_syslog), "", 0, 0, NULL, mg_check_syslog_target,
	  "Copy every audit and admin record to a collector as RFC 5424 syslog:\n"
	  "tcp:HOST:PORT (octet-counted) or udp:HOST:PORT, e.g. a local rsyslog that\n"
	  "forwards over TLS (docs/audit-format.md).  Empty: the records stay on this host." },
	{ "audit_syslog_facility", MG_OPT_ENUM, OFF(audit_syslog_facility), "local5", 0, 0,
	  MG_SYSLOG_FACILITIES, NULL, "Syslog facility of the forwarded records." },
	{ "audit_syslog_queue", MG_OPT_INT, OFF(audit_syslog_queue), "10000", 100, 1000000, NULL, NULL,
	  "Records waiting for the collector at most; beyond, records are not forwarded\n"
	  "(they stay in the file; counted, logged and alerted as audit-forward-failed)." },
	{ "alert_role", MG_OPT_LIST, OFF(alert_role), "", 0, 0, NULL, mg_alert_check_role,
	  "A person or team alerts go to: ID | display name | address[, address...],\n"
	  "e.g. ciso-aide | ネットワーク管理者 (CISO補佐) | netadmin@city.example.lg.jp.\n"
	  "One line per role; alert_route names roles by ID." },
	{ "alert_route", MG_OPT_LIST, OFF(alert_route), "", 0, 0, NULL, mg_alert_check_route,
	  "Where alerts go: SELECTOR TARGET...  SELECTOR is a severity (info, notice,\n"
	  "warning, error, critical: that and above), an event name (docs/alerts.md) or *;\n"
	  "TARGET is syslog, exec (alert_exec) or mail:ROLE.  Every alert is logged anyway." },
	{ "alert_burst", MG_OPT_LIST, OFF(alert_burst), "relay-attempt 20 10m warning", 0, 0, NULL,
	  mg_alert_check_burst,
	  "EVENT COUNT WINDOW SEVERITY: COUNT events within WINDOW raise EVENT-burst at\n"
	  "SEVERITY (e.g. relay attempts from outside)." },
	{ "alert_smtp_host", MG_OPT_STR, OFF(alert_smtp_host), "", 0, 0, NULL, NULL,
	  "HOST:PORT of an SMTP listener WITHOUT the milter for alert mails (e.g.\n"
	  "127.0.0.1:10026).  Empty: release_smtp_host." },
	{ "alert_from", MG_OPT_STR, OFF(alert_from), "", 0, 0, NULL, NULL,
	  "Sender address of alert mails.  Empty: mugaika@ this host's name." },
	{ "alert_exec", MG_OPT_STR, OFF(alert_exec), "", 0, 0, NULL, NULL,
	  "Program run for alerts routed to exec (no shell): arguments EVENT SEVERITY, the\n"
	  "text on standard input, MUGAIKA_ALERT_* in the environment.  Empty: none." },
	{ "alert_exec_timeout", MG_OPT_TIME, OFF(alert_exec_timeout), "30", 1, 600, NULL, NULL,
	  "Seconds alert_exec may run before it is killed." },
	{ "alert_interval", MG_OPT_TIME, OFF(alert_interval), "10m", 0, 86400, NULL, NULL,
	  "Rate limit: at most one mail or hook run per event and target in this time;\n"
	  "the next one says how many were held back." },
	{ "alert_queue_max", MG_OPT_INT, OFF(alert_queue_max), "1000", 10, 100000, NULL, NULL,
	  "Alerts waiting for delivery at most; beyond, alerts are only logged." },
	{ "config_history_dir", MG_OPT_STR, OFF(config_history_dir), LOCALSTATEDIR "/lib/mugaika/config-history",
	  0, 0, NULL, NULL,
	  "Where the daemon keeps the last loaded copy of each configuration file, so that\n"
	  "every load and reload records a unified diff in the admin log.  Empty: hashes only." },
	{ "config_diff_max", MG_OPT_SIZE, OFF(config_diff_max), "64K", 0, 16 * 1024 * 1024, NULL, NULL,
	  "Largest diff recorded for one file (longer diffs are cut and say so)." },

	/* --- issue 11: faults --- */
	{ "spool_min_free", MG_OPT_SIZE, OFF(spool_min_free), "32M", 0, 1024 * GiB, NULL, NULL,
	  "Free space spool_dir must have before a virus scan (libclamav unpacks into it).\n"
	  "Checked at start, on reload and before every scan, with the directory itself\n"
	  "(it must exist and be writable by the daemon's user): less, and the message\n"
	  "gets 451 4.3.0; at start or reload the configuration is refused.  0: no space\n"
	  "check." },
	{ "shutdown_timeout", MG_OPT_TIME, OFF(shutdown_timeout), "10", 0, 3600, NULL, NULL,
	  "On SIGTERM: seconds to wait for messages still being received.  Messages in\n"
	  "end-of-message processing always finish (max_processing_time); sessions without\n"
	  "a message are not waited for (the MTA answers their next command 4xx)." },
	{ "max_message_memory", MG_OPT_SIZE, OFF(max_message_memory), "256M", 0, 64 * GiB, NULL, NULL,
	  "Memory one message may take for its decoded parts and rebuilt files (their sum,\n"
	  "charged before each is allocated).  More: 552 5.3.4, a property of the message.\n"
	  "0: no budget." },
	{ "max_memory", MG_OPT_SIZE, OFF(max_memory), "1G", 0, 1024 * GiB, NULL, NULL,
	  "Memory all messages in flight together may take for their decoded parts and\n"
	  "rebuilt files.  A message that would go over it gets 451 4.3.1 alone (the others\n"
	  "go on; it is retried later).  Keep it under the memory the daemon may use\n"
	  "(cgroup, ulimit): past that, an allocation GLib cannot make ends the process.\n"
	  "0: no budget." },
};
/* clang-format on */

#define N_OPTIONS G_N_ELEMENTS(mg_options)

gsize mg_config_option_count(void)
{
	return N_OPTIONS;
}

const char *mg_config_option_name(gsize i)
{
	return i < N_OPTIONS ? mg_options[i].name : NULL;
}

static const struct mg_opt *opt_find(const char *name)
{
	for (gsize i = 0; i < N_OPTIONS; i++)
		if (strcmp(mg_options[i].name, name) == 0)
			return &mg_options[i];
	return NULL;
}

static void *field(struct mg_config *cfg, const struct mg_opt *o)
{
	return (char *)cfg + o->off;
}

static void opt_free_value(struct mg_config *cfg, const struct mg_opt *o)
{
	void *p = field(cfg, o);
	if (o->type == MG_OPT_STR || o->type == MG_OPT_PATH) {
		g_free(*(char **)p);
		*(char **)p = NULL;
	} else if (o->type == MG_OPT_LIST) {
		g_strfreev(*(char ***)p);
		*(char ***)p = NULL;
	}
}

/* A relative file name in a configuration names a file beside it (issue 14:
 * one configuration directory, wherever it is installed). */
static char *config_resolve(const struct mg_config *cfg, const char *value)
{
	if (!*value || g_path_is_absolute(value) || !cfg->loaded_from_file)
		return g_strdup(value);
	char *dir = g_path_get_dirname(cfg->path);
	char *abs = g_build_filename(dir, value, NULL);
	g_free(dir);
	return abs;
}

char *mg_config_dir(const struct mg_config *cfg)
{
	return cfg->loaded_from_file ? g_path_get_dirname(cfg->path) : g_strdup(SYSCONFDIR "/mugaika");
}

/* Parse `value` for row `o` into cfg.  Returns NULL or a message saying
 * what is wrong and what is allowed (caller frees). */
static char *opt_set(struct mg_config *cfg, const struct mg_opt *o, const char *value)
{
	void *p = field(cfg, o);
	char *why = NULL;
	int64_t n;

	mg_opt_check_fn check = o->check ? o->check : mg_config_check_of(o->name);
	if (check && !check(value, &why))
		return why ? why : g_strdup("invalid value");
	switch (o->type) {
	case MG_OPT_BOOL:
		if (!mg_parse_bool(value, (gboolean *)p))
			return g_strdup_printf("'%s' is not a boolean; allowed: yes, no", value);
		return NULL;
	case MG_OPT_INT:
	case MG_OPT_SIZE:
	case MG_OPT_TIME:
		if (!mg_parse_number(o->type, value, &n))
			return g_strdup_printf("'%s' is not %s", value, mg_opt_type_doc(o->type));
		if (n < o->min || n > o->max)
			return g_strdup_printf("%s is out of range; allowed: %" PRId64 " to %" PRId64 "%s", value,
					       o->min, o->max, mg_opt_unit(o->type));
		*(int64_t *)p = n;
		return NULL;
	case MG_OPT_ENUM:
		if (!mg_parse_enum(o->values, value, (int *)p))
			return g_strdup_printf("'%s' is not allowed; allowed: %s", value, o->values);
		return NULL;
	case MG_OPT_STR:
		g_free(*(char **)p);
		*(char **)p = g_strdup(value);
		return NULL;
	case MG_OPT_PATH:
		g_free(*(char **)p);
		*(char **)p = config_resolve(cfg, value);
		return NULL;
	case MG_OPT_LIST: *(char ***)p = mg_strv_append(*(char ***)p, value); return NULL;
	}
	return g_strdup("internal error: unknown option type");
}

static void config_set_defaults(struct mg_config *cfg)
{
	for (gsize i = 0; i < N_OPTIONS; i++) {
		const struct mg_opt *o = &mg_options[i];
		if (o->type == MG_OPT_LIST) {
			char **v = g_strsplit(o->def ? o->def : "", "\n", -1);
			*(char ***)field(cfg, &mg_options[i]) = mg_strv_compact(v);
			continue;
		}
		char *why = opt_set(cfg, o, o->def ? o->def : "");
		if (why)
			g_error("built-in default of %s is invalid: %s", o->name, why);
	}
}

static struct mg_config *config_new(const char *path, gboolean from_file)
{
	struct mg_config *cfg = g_new0(struct mg_config, 1);
	cfg->refcount = 1;
	cfg->path = g_strdup(path ? path : "(defaults)");
	cfg->loaded_from_file = from_file && path;
	config_set_defaults(cfg);
	return cfg;
}

struct mg_config *mg_config_defaults(void)
{
	struct mg_config *cfg = config_new(NULL, FALSE);
	GError *err = NULL;
	if (!mg_config_finish(cfg, &err)) /* derived data of the modules (hooks) */
		g_error("built-in defaults are inconsistent: %s", err->message);
	return cfg;
}

static gboolean config_parse_line(struct mg_config *cfg, GHashTable *seen, char *line, char **err_key, char **why)
{
	char *key = NULL, *value = NULL;
	if (!mg_kv_split(line, &key, &value, why))
		return TRUE;
	*err_key = key;
	if (*why)
		return FALSE;
	const struct mg_opt *o = opt_find(key);
	if (!o) {
		*why = g_strdup("unknown key; see `mugaika config-dump` for the allowed keys");
		return FALSE;
	}
	if (g_hash_table_contains(seen, o->name) && o->type != MG_OPT_LIST) {
		*why = g_strdup_printf("set twice (first on line %d); set each key once",
				       GPOINTER_TO_INT(g_hash_table_lookup(seen, o->name)));
		return FALSE;
	}
	if (!g_hash_table_contains(seen, o->name) && o->type == MG_OPT_LIST)
		opt_free_value(cfg, o); /* the file's lines replace the default list */
	*why = opt_set(cfg, o, value);
	return *why == NULL;
}

static struct mg_config *config_parse(const char *name, const char *text, gsize len, gboolean from_file, GError **err)
{
	struct mg_config *cfg = config_new(name, from_file);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	char *copy = g_strndup(len ? text : "", len); /* text need not end in NUL */
	char **lines = g_strsplit(copy, "\n", -1);
	g_free(copy);
	gboolean ok = TRUE;

	if (memchr(text, '\0', len)) {
		g_set_error(err, MG_CONFIG_ERROR, 1, "%s: file contains a NUL byte", name);
		ok = FALSE;
	}
	for (int i = 0; ok && lines[i]; i++) {
		char *key = NULL, *why = NULL;
		if (!config_parse_line(cfg, seen, lines[i], &key, &why)) {
			g_set_error(err, MG_CONFIG_ERROR, 1, "%s:%d: %s: %s", name, i + 1, key ? key : "", why);
			g_free(why);
			ok = FALSE;
			break;
		}
		if (key && !g_hash_table_contains(seen, key)) {
			const struct mg_opt *o = opt_find(key);
			g_hash_table_insert(seen, (gpointer)o->name, GINT_TO_POINTER(i + 1));
		}
	}
	if (ok)
		ok = mg_config_finish(cfg, err);
	g_strfreev(lines);
	g_hash_table_destroy(seen);
	if (!ok) {
		mg_config_unref(cfg);
		return NULL;
	}
	return cfg;
}

struct mg_config *mg_config_parse(const char *name, const char *text, gsize len, GError **err)
{
	return config_parse(name, text, len, FALSE, err);
}

struct mg_config *mg_config_load(const char *path, GError **err)
{
	char *text = NULL;
	gsize len = 0;
	if (!path)
		return mg_config_defaults();
	if (!g_file_get_contents(path, &text, &len, err))
		return NULL;
	struct mg_config *cfg = config_parse(path, text, len, TRUE, err);
	g_free(text);
	return cfg;
}

struct mg_config *mg_config_ref(struct mg_config *cfg)
{
	g_atomic_int_inc(&cfg->refcount);
	return cfg;
}

void mg_config_unref(struct mg_config *cfg)
{
	if (!cfg || !g_atomic_int_dec_and_test(&cfg->refcount))
		return;
	mg_config_release_derived(cfg);
	for (gsize i = 0; i < N_OPTIONS; i++)
		opt_free_value(cfg, &mg_options[i]);
	g_free(cfg->path);
	g_free(cfg);
}

void mg_config_dump(FILE *out, const struct mg_config *cfg, gboolean defaults_doc)
{
	fprintf(out, "# mugaika.conf - every key with its meaning, allowed values and default.\n"
		     "# Syntax: key = value, one per line; '#' starts a comment line.\n"
		     "# Keys of list type may be given on several lines, one value each.\n");
	for (gsize i = 0; i < N_OPTIONS; i++)
		mg_opt_dump(out, &mg_options[i], cfg ? field((struct mg_config *)cfg, &mg_options[i]) : NULL,
			    defaults_doc);
}
