-- issue16_auth.lua - sender authentication over the milter protocol (issue
-- 16): our Authentication-Results added, a forged one with our authserv-id
-- deleted, a DMARC failure refused (auth_on_dmarc_fail = reject), a DNS
-- timeout turned into 4xx (auth_on_temperror = tempfail), and the DNS cache
-- of the daemon at work (the same message twice asks nothing the second
-- time).  Keys and signed messages are made by tests/auth/mkauth.py and the
-- DNS answers served on loopback by tests/auth/dnsstub.py; without python3-dkim
-- and python3-dnspython the script says SKIP and checks nothing.
-- Driven by tests/miltertest/run.sh (MUGAIKA_MILTER, MUGAIKA_CONF, MUGAIKA_PORT).
local milter = os.getenv("MUGAIKA_MILTER")
local base = os.getenv("MUGAIKA_CONF")
local srcdir = os.getenv("top_srcdir") or "."
local sock = "inet:" .. os.getenv("MUGAIKA_PORT") .. "@127.0.0.1"

local function sh(cmd)
	local r = os.execute(cmd)
	return r == true or r == 0
end

local function slurp(path)
	local f = io.open(path, "rb")
	if not f then return nil end
	local s = f:read("*a")
	f:close()
	return s
end

local py
for _, p in ipairs({ os.getenv("PYTHON3") or "python3", "/usr/bin/python3" }) do
	if sh(p .. " -c 'import dkim, nacl, dns.message' 2>/dev/null") then py = p break end
end
if not py then
	mt.echo("SKIP: python3-dkim, python3-nacl and python3-dnspython are needed for the fixtures")
	return
end

local dir = os.tmpname()
os.remove(dir)
assert(sh("mkdir -p " .. dir))
local function cleanup()
	sh("[ -s " .. dir .. "/dns.pid ] && kill $(cat " .. dir .. "/dns.pid) 2>/dev/null")
	sh("rm -rf " .. dir)
end
local function check(cond, what)
	if not cond then
		cleanup()
		error("FAILED: " .. what)
	end
	mt.echo("ok: " .. what)
end

check(sh(py .. " " .. srcdir .. "/tests/auth/mkauth.py " .. dir), "fixtures made")
sh(py .. " " .. srcdir .. "/tests/auth/dnsstub.py " .. dir .. "/zone " .. dir .. "/dns.port " .. dir ..
	"/queries 2>" .. dir .. "/dns.log & echo $! > " .. dir .. "/dns.pid")
local port
for _ = 1, 600 do -- up to a minute: make check runs the suites in parallel
	port = slurp(dir .. "/dns.port")
	if port then break end
	sh("sleep 0.1")
end
check(port ~= nil, "loopback DNS server started (" .. (slurp(dir .. "/dns.log") or "") .. ")")
port = string.gsub(port, "%s", "")

local conf = dir .. "/mugaika.conf"
local f = assert(io.open(conf, "w"))
-- the base configuration without the keys set below (each may be set once)
for line in string.gmatch(slurp(base) or "", "([^\n]*)\n") do
	if not string.match(line, "^auth_") then f:write(line, "\n") end
end
f:write("\n",
	"internal_domain = city.example.lg.jp\n",
	"auth_mode = verify\n",
	"auth_serv_id = mugaika.test\n",
	"auth_dns_server = 127.0.0.1:" .. port .. "\n",
	"auth_dns_timeout = 1\n",
	"auth_public_suffix_list = " .. dir .. "/psl.dat\n",
	"auth_on_dmarc_fail = reject\n",
	"auth_on_temperror = tempfail\n")
f:close()

-- the case's client address and MAIL FROM, from cases.tsv
local cases = {}
for line in io.lines(dir .. "/cases.tsv") do
	local name, ip, helo, from = string.match(line, "^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)")
	cases[name] = { ip = ip, helo = helo, from = from }
end

local function queries()
	local s = slurp(dir .. "/queries") or ""
	local _, n = string.gsub(s, "\n", "")
	return n
end

mt.startfilter(milter, "-f", "-c", conf, "-p", sock)

-- send NAME: one connection, the message of case NAME; returns conn and the eom reply
local function send(name, qid)
	local c = cases[name]
	local conn = mt.connect(sock, 600, 0.1) -- the daemon may still be loading (sanitizer builds)
	check(conn ~= nil, name .. ": connect")
	check(mt.conninfo(conn, c.helo, c.ip) == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": conninfo")
	check(mt.helo(conn, c.helo) == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": helo")
	mt.macro(conn, SMFIC_MAIL, "i", qid)
	check(mt.mailfrom(conn, "<" .. c.from .. ">") == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": mail")
	check(mt.rcptto(conn, "<staff@city.example.lg.jp>") == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": rcpt")
	local msg = slurp(dir .. "/" .. name .. ".eml")
	local head, body = string.match(msg, "^(.-)\n\n(.*)$")
	head = string.gsub(head, "\n([ \t])", "\r%1") -- keep folds inside one field
	for line in string.gmatch(head .. "\n", "([^\n]*)\n") do
		local hn, hv = string.match(line, "^([^:]+):[ \t]*(.*)$")
		hv = string.gsub(hv, "\r", "\r\n")
		check(mt.header(conn, hn, hv) == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": header " .. hn)
	end
	check(mt.eoh(conn) == nil and mt.getreply(conn) == SMFIR_CONTINUE, name .. ": eoh")
	mt.bodystring(conn, (string.gsub(body, "\n", "\r\n")))
	check(mt.getreply(conn) == SMFIR_CONTINUE, name .. ": body")
	check(mt.eom(conn) == nil, name .. ": eom sent")
	return conn, mt.getreply(conn)
end

local conn, reply = send("dkim-pass", "AU0001")
check(reply == SMFIR_CONTINUE, "dkim-pass accepted")
check(mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results") or mt.eom_check(conn, MT_HDRADD, "Authentication-Results"),
	"our Authentication-Results added")
local ar = mt.getheader(conn, "Authentication-Results", 0) or ""
check(string.find(ar, "^mugaika.test;") ~= nil, "it carries our authserv-id")
check(string.find(ar, "dkim=pass", 1, true) and string.find(ar, "spf=pass", 1, true) and string.find(ar, "dmarc=pass", 1, true),
	"spf, dkim and dmarc pass")
mt.disconnect(conn)

local before = queries()
conn, reply = send("dkim-pass", "AU0002")
check(reply == SMFIR_CONTINUE, "the same message again accepted")
check(queries() == before, "second message answered from the cache (no DNS question)")
mt.disconnect(conn)

conn, reply = send("forged-ar", "AU0003")
check(reply == SMFIR_REPLYCODE, "DMARC failure refused (auth_on_dmarc_fail = reject)")
mt.disconnect(conn)

conn, reply = send("spf-pass", "AU0004")
check(reply == SMFIR_CONTINUE, "spf-pass accepted")
mt.disconnect(conn)

-- the forged field: our authserv-id in an otherwise passing message
local msg = slurp(dir .. "/dkim-pass.eml")
local g = assert(io.open(dir .. "/forged-pass.eml", "wb"))
g:write("Authentication-Results: mugaika.test; dmarc=pass header.from=example.com\n", msg)
g:close()
cases["forged-pass"] = cases["dkim-pass"]
conn, reply = send("forged-pass", "AU0005")
check(reply == SMFIR_CONTINUE, "message with a forged Authentication-Results accepted")
check(mt.eom_check(conn, MT_HDRDELETE, "Authentication-Results"), "the forged field with our authserv-id deleted")
mt.disconnect(conn)

conn, reply = send("temperror", "AU0006")
check(reply == SMFIR_REPLYCODE or reply == SMFIR_TEMPFAIL, "DNS timeout gives a temporary failure (auth_on_temperror = tempfail)")
mt.disconnect(conn)

cleanup()
