-- issue16b_guard.lua - issue 16 items 6-8 over the milter protocol: the stop
-- switch (stop all refuses at MAIL FROM, stop out per external RCPT while
-- internal recipients pass; the state file is re-read without a reload), a
-- forbidden destination refused at RCPT, and held mail discarded at end of
-- message (the store has it).  Driven by tests/miltertest/run.sh.
local milter = os.getenv("MUGAIKA_MILTER")
local base = os.getenv("MUGAIKA_CONF")
local sock = "inet:" .. (os.getenv("MUGAIKA_PORT") or "18863") .. "@127.0.0.1"
local dir = base:match("^(.*)/[^/]*$")
local conf = dir .. "/issue16b.conf"
local state = dir .. "/var/stop.state" -- stop_state_file of the test configuration (tests/lib.sh)
local forbidden = dir .. "/issue16b-forbidden.list"

local function check(cond, what)
	if not cond then error("FAILED: " .. what) end
	mt.echo("ok: " .. what)
end

local function write(path, text)
	local f = assert(io.open(path, "w"))
	f:write(text)
	f:close()
end

local b = assert(io.open(base, "r"))
write(conf, b:read("*a") .. "\ninternal_network = 10.0.0.0/8\ninternal_domain = city.example.lg.jp\n" ..
	"forbidden_destinations_file = " .. forbidden .. "\n" ..
	"hold_external_recipients = 2\nbcc_max_visible_external = 0\n")
b:close()
write(forbidden, "mynumber.city.example.lg.jp\n")
os.remove(state)

mt.startfilter(milter, "-f", "-c", conf, "-p", sock)

local function session(client)
	local conn = mt.connect(sock, 50, 0.1)
	check(conn ~= nil, "connect")
	check(mt.conninfo(conn, "host.example", client) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "conninfo")
	check(mt.helo(conn, "host.example") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "helo")
	mt.macro(conn, SMFIC_MAIL, "i", "GD0001")
	return conn
end

-- stop all: MAIL FROM gets a temporary failure
write(state, '{"version":1,"stops":[{"scope":"all","since":"2026-12-01T10:00:00.000+09:00","by":"lua","origin":"admin","reason":"test"}]}')
local conn = session("10.1.2.3")
check(mt.mailfrom(conn, "<taro@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_REPLYCODE,
	"stop all: MAIL FROM refused")
mt.disconnect(conn)

-- stop out: the external recipient refused, the internal one accepted
write(state, '{"version":1,"stops":[{"scope":"out","since":"2026-12-01T10:00:00.000+09:00","by":"lua","origin":"admin","reason":"test"}]}')
conn = session("10.1.2.3")
check(mt.mailfrom(conn, "<taro@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE,
	"stop out: MAIL FROM accepted (the new state file was read)")
check(mt.rcptto(conn, "<partner@example.com>") == nil and mt.getreply(conn) == SMFIR_REPLYCODE,
	"stop out: external RCPT refused")
check(mt.rcptto(conn, "<staff@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE,
	"stop out: internal RCPT accepted")
check(mt.rcptto(conn, "<x@mynumber.city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_REPLYCODE,
	"forbidden destination refused at RCPT")
mt.disconnect(conn)

-- nothing stopped: three external recipients > hold_external_recipients 2: held, discarded
os.remove(state)
conn = session("10.1.2.3")
check(mt.mailfrom(conn, "<taro@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "mail from")
for _, r in ipairs({ "<a@example.com>", "<b@example.net>", "<c@example.org>" }) do
	check(mt.rcptto(conn, r) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "rcpt " .. r)
end
check(mt.header(conn, "Subject", "to three outside") == nil and mt.getreply(conn) == SMFIR_CONTINUE, "header")
check(mt.eoh(conn) == nil and mt.getreply(conn) == SMFIR_CONTINUE, "eoh")
mt.bodystring(conn, "hello\r\n")
check(mt.getreply(conn) == SMFIR_CONTINUE, "body")
check(mt.eom(conn) == nil, "eom sent")
check(mt.getreply(conn) == SMFIR_DISCARD, "held message discarded by the MTA (kept by mugaika)")
mt.disconnect(conn)
os.remove(conf)
os.remove(forbidden)
