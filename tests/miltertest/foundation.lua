-- Milter protocol test of the foundation: one connection, several messages
-- (accepted with header/body changes, aborted mid-message, rejected), then
-- close.  Driven by tests/miltertest/run.sh (MUGAIKA_MILTER, MUGAIKA_CONF,
-- MUGAIKA_PORT come from the environment).
local milter = os.getenv("MUGAIKA_MILTER")
local conf = os.getenv("MUGAIKA_CONF")
local sock = "inet:" .. os.getenv("MUGAIKA_PORT") .. "@127.0.0.1"

local function check(cond, what)
	if not cond then error("FAILED: " .. what) end
	mt.echo("ok: " .. what)
end

mt.startfilter(milter, "-f", "-c", conf, "-p", sock)
local conn = mt.connect(sock, 50, 0.1)
check(conn ~= nil, "connect to mugaika-milter")
check(mt.conninfo(conn, "sender.example.net", "192.0.2.10") == nil, "conninfo sent")
check(mt.getreply(conn) == SMFIR_CONTINUE, "connect accepted")
check(mt.helo(conn, "sender.example.net") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "helo")

-- message 1: accepted, forged status header replaced, body rebuilt
mt.macro(conn, SMFIC_MAIL, "i", "MT0001")
check(mt.mailfrom(conn, "<a@example.net>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "mail from 1")
check(mt.rcptto(conn, "<staff@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "rcpt 1")
local headers = {
	{ "From", "a@example.net" }, { "To", "staff@city.example.lg.jp" }, { "Subject", "miltertest 1" },
	{ "MIME-Version", "1.0" }, { "X-Mugaika-Status", "clean (forged)" },
	{ "Content-Type", "multipart/mixed; boundary=\"mtb\"" },
}
for _, h in ipairs(headers) do
	check(mt.header(conn, h[1], h[2]) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "header " .. h[1])
end
check(mt.eoh(conn) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "eoh 1")
mt.bodystring(conn, "--mtb\r\nContent-Type: text/plain\r\n\r\nhello\r\n")
check(mt.getreply(conn) == SMFIR_CONTINUE, "body chunk 1a")
mt.bodystring(conn, "--mtb\r\nContent-Type: application/octet-stream; name=x.txt\r\n\r\nxyz\r\n--mtb--\r\n")
check(mt.getreply(conn) == SMFIR_CONTINUE, "body chunk 1b")
check(mt.eom(conn) == nil, "eom 1 sent")
check(mt.getreply(conn) == SMFIR_CONTINUE, "message 1 accepted")
check(mt.eom_check(conn, MT_HDRDELETE, "X-Mugaika-Status"), "incoming X-Mugaika-Status deleted")
check(mt.eom_check(conn, MT_HDRDELETE, "Content-Type"), "incoming Content-Type deleted")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugaika-Status"), "X-Mugaika-Status added")
local st = mt.getheader(conn, "X-Mugaika-Status", 0)
check(st ~= nil and string.find(st, "^sanitized") ~= nil, "X-Mugaika-Status says sanitized")
local ct = mt.getheader(conn, "Content-Type", 0)
check(ct ~= nil and string.find(ct, "=_mugaika_", 1, true) ~= nil, "new Content-Type has our boundary")
check(mt.eom_check(conn, MT_BODYCHANGE), "body replaced")

-- message 2 on the same connection: aborted in the middle of the headers
check(mt.mailfrom(conn, "<b@example.net>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "mail from 2")
check(mt.rcptto(conn, "<staff@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "rcpt 2")
check(mt.header(conn, "Subject", "to be aborted") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "header 2")
check(mt.abort(conn) == nil, "abort 2")

-- message 3: too deeply nested, refused at end of message with 552 5.6.0
check(mt.mailfrom(conn, "<c@example.net>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "mail from 3")
check(mt.rcptto(conn, "<staff@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "rcpt 3")
check(mt.header(conn, "Content-Type", "multipart/mixed; boundary=\"b0\"") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "header 3")
check(mt.eoh(conn) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "eoh 3")
local deep = ""
for i = 0, 29 do
	deep = deep .. "--b" .. i .. "\r\nContent-Type: multipart/mixed; boundary=\"b" .. (i + 1) .. "\"\r\n\r\n"
end
mt.bodystring(conn, deep .. "--b30\r\nContent-Type: text/plain\r\n\r\nx\r\n")
check(mt.getreply(conn) == SMFIR_CONTINUE, "body 3")
check(mt.eom(conn) == nil, "eom 3 sent")
check(mt.getreply(conn) == SMFIR_REPLYCODE, "message 3 refused with a reply code")
-- (the reply text itself, 552 5.6.0, is checked through Postfix in tests/fullstack)

-- message 4: a clean message still works after the refusal (no state leaks)
check(mt.mailfrom(conn, "<d@example.net>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "mail from 4")
check(mt.rcptto(conn, "<staff@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "rcpt 4")
check(mt.header(conn, "Subject", "plain") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "header 4")
check(mt.eoh(conn) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "eoh 4")
mt.bodystring(conn, "just text\r\n")
check(mt.getreply(conn) == SMFIR_CONTINUE, "body 4")
check(mt.eom(conn) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "message 4 accepted")
check(mt.eom_check(conn, MT_HDRADD, "X-Mugaika-Status"), "message 4 has our status header")
check(not mt.eom_check(conn, MT_HDRDELETE, "X-Mugaika-Status"), "message 4 had nothing to delete")
-- issue 15: its body comes out byte for byte as it came in, so it is not sent back
check(not mt.eom_check(conn, MT_BODYCHANGE), "message 4: unchanged body not replaced")

mt.disconnect(conn)
