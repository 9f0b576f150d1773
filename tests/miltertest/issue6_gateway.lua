-- issue6_gateway.lua - the relay guard in gateway mode (issue 6) over the
-- milter protocol: an outside client may send to the Internet only when the
-- MTA says it authenticated ({auth_authen}) and the envelope sender is
-- internal; everything else outside-to-outside gets 550 5.7.1 per recipient.
-- Driven by tests/miltertest/run.sh (MUGAIKA_MILTER, MUGAIKA_CONF, MUGAIKA_PORT).
local milter = os.getenv("MUGAIKA_MILTER") or ((os.getenv("top_builddir") or ".") .. "/mugaika-milter")
local base = os.getenv("MUGAIKA_CONF")
local sock = "inet:" .. (os.getenv("MUGAIKA_PORT") or "18862") .. "@127.0.0.1"
local conf = os.tmpname()

local f = assert(io.open(conf, "w"))
if base then
	local b = assert(io.open(base, "r"))
	f:write(b:read("*a"))
	b:close()
end
f:write("\ninternal_network = 10.0.0.0/8\n", "internal_domain = city.example.lg.jp\n", "zone_mode = gateway\n")
f:close()

mt.startfilter(milter, "-f", "-c", conf, "-p", sock)

local function check(cond, what)
	if not cond then
		os.remove(conf)
		error("FAILED: " .. what)
	end
	mt.echo("ok: " .. what)
end

-- try NAME AUTH SENDER WANT: one envelope from 192.0.2.7 to an outside rcpt
local function try(name, auth, sender, want)
	local conn = mt.connect(sock, 50, 0.1)
	check(conn ~= nil, name .. ": connect")
	check(mt.conninfo(conn, "roaming.example", "192.0.2.7") == nil and mt.getreply(conn) == SMFIR_CONTINUE,
		name .. ": conninfo")
	-- HELO first: libmilter drops MAIL macros sent before it
	check(mt.helo(conn, "roaming.example") == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": helo")
	if auth then
		mt.macro(conn, SMFIC_MAIL, "i", "GW0001", "{auth_authen}", auth)
	else
		mt.macro(conn, SMFIC_MAIL, "i", "GW0001")
	end
	check(mt.mailfrom(conn, sender) == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": mail from")
	check(mt.rcptto(conn, "<partner@example.com>") == nil, name .. ": rcpt sent")
	check(mt.getreply(conn) == want, name .. ": rcpt reply")
	mt.disconnect(conn)
end

try("authenticated staff", "taro", "<taro@city.example.lg.jp>", SMFIR_CONTINUE)
try("unauthenticated staff address", nil, "<taro@city.example.lg.jp>", SMFIR_REPLYCODE)
try("authenticated, foreign sender", "taro", "<x@example.net>", SMFIR_REPLYCODE)
try("outside to outside", nil, "<x@example.net>", SMFIR_REPLYCODE)

os.remove(conf)
