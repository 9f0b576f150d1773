-- issue6_size.lua - boundary policy over the milter protocol (issue 6):
-- SIZE= at MAIL FROM over the limit is refused at once (552 5.3.4), an
-- oversize body is refused while it streams in, a relay attempt is refused
-- per recipient (550 5.7.1) while the other recipients go on.
-- Driven by tests/miltertest/run.sh (MUGAIKA_MILTER, MUGAIKA_CONF,
-- MUGAIKA_PORT); the test configuration gets the zone and size keys below.
local milter = os.getenv("MUGAIKA_MILTER") or ((os.getenv("top_builddir") or ".") .. "/mugaika-milter")
local base = os.getenv("MUGAIKA_CONF")
local sock = "inet:" .. (os.getenv("MUGAIKA_PORT") or "18861") .. "@127.0.0.1"
local conf = os.tmpname()

local f = assert(io.open(conf, "w"))
if base then
	local b = assert(io.open(base, "r"))
	for line in b:lines() do
		if not line:match("^max_message_size") and not line:match("^spool_memory_max") then
			f:write(line, "\n")
		end
	end
	b:close()
end
f:write("internal_network = 10.0.0.0/8\n",
	"internal_domain = city.example.lg.jp\n",
	"max_message_size = 20M\n",
	"inbound_max_message_size = 4K\n",
	"outbound_max_message_size = 8K\n",
	"spool_memory_max = 1K\n")
f:close()

mt.startfilter(milter, "-f", "-c", conf, "-p", sock)

local function expect(conn, want, what)
	local got = mt.getreply(conn)
	if got ~= want then
		os.remove(conf)
		error("FAILED: " .. what .. ": unexpected milter reply " .. tostring(got))
	end
	mt.echo("ok: " .. what)
end

local function open(ip)
	local conn = mt.connect(sock, 50, 0.1)
	if conn == nil then
		error("mt.connect() failed")
	end
	assert(mt.conninfo(conn, "client.example", ip) == nil)
	expect(conn, SMFIR_CONTINUE, "connect " .. ip)
	return conn
end

-- 1. SIZE= over the inbound limit: refused at MAIL FROM
local conn = open("192.0.2.1")
assert(mt.mailfrom(conn, "<x@example.net>", "SIZE=5000") == nil)
expect(conn, SMFIR_REPLYCODE, "SIZE=5000 inbound")
mt.disconnect(conn)

-- 2. the same SIZE= from an internal client is within the outbound limit
conn = open("10.1.2.3")
assert(mt.mailfrom(conn, "<taro@city.example.lg.jp>", "SIZE=5000") == nil)
expect(conn, SMFIR_CONTINUE, "SIZE=5000 outbound")
mt.disconnect(conn)

-- 3. relay attempt refused for that recipient only
conn = open("192.0.2.1")
assert(mt.mailfrom(conn, "<x@example.net>") == nil)
expect(conn, SMFIR_CONTINUE, "mail from")
assert(mt.rcptto(conn, "<victim@example.com>") == nil)
expect(conn, SMFIR_REPLYCODE, "relay rcpt")
assert(mt.rcptto(conn, "<hanako@city.example.lg.jp>") == nil)
expect(conn, SMFIR_CONTINUE, "local rcpt after a refused one")
mt.disconnect(conn)

-- 4. no SIZE=, body over the inbound limit: refused while streaming
conn = open("192.0.2.1")
assert(mt.mailfrom(conn, "<x@example.net>") == nil)
expect(conn, SMFIR_CONTINUE, "mail from")
assert(mt.rcptto(conn, "<hanako@city.example.lg.jp>") == nil)
expect(conn, SMFIR_CONTINUE, "rcpt")
assert(mt.header(conn, "From", "x@example.net") == nil)
expect(conn, SMFIR_CONTINUE, "header")
assert(mt.header(conn, "Subject", "big") == nil)
expect(conn, SMFIR_CONTINUE, "header")
assert(mt.eoh(conn) == nil)
expect(conn, SMFIR_CONTINUE, "eoh")
local line = string.rep("a", 998) .. "\r\n"
local refused = false
for i = 1, 10 do
	assert(mt.bodystring(conn, line) == nil)
	local r = mt.getreply(conn)
	if r == SMFIR_REPLYCODE then
		refused = true
		if i < 4 then
			error("body refused too early, chunk " .. i)
		end
		break
	elseif r ~= SMFIR_CONTINUE then
		error("body chunk " .. i .. ": unexpected reply " .. tostring(r))
	end
end
if not refused then
	error("FAILED: oversize body was not refused while streaming")
end
mt.echo("ok: oversize body refused while streaming")
mt.disconnect(conn)

os.remove(conf)
mt.echo("issue6_size: ok")
