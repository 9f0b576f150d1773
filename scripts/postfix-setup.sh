#!/bin/sh
# postfix-setup.sh - plug mugaika-milter into this machine's own Postfix.
# Installed by the Debian package as /usr/sbin/mugaika-postfix-setup.
#
# This script is the README's "Plugging mugaika into an existing Postfix":
# each step it takes is written down there, in the same order, and it
# prints each one as it goes.  CI runs it, unchanged, against Debian's
# Postfix in a fresh Debian 12 container (scripts/test-package.sh).
#
#   mugaika-postfix-setup [unix|inet] [DOMAIN...]   as root; safe to run again
#
#   unix  (default) socket in Postfix's queue directory,
#         /var/spool/postfix/mugaika/mugaika.sock, which Debian's chrooted
#         smtpd and cleanup reach as unix:/mugaika/mugaika.sock
#   inet  socket inet:8891@127.0.0.1 (MUGAIKA_INET_PORT)
#   DOMAIN  the organisation's mail domains (internal_domain, required by
#         the daemon); may be left out when mugaika.conf sets them already
#
# Environment: MUGAIKA_CONF (/etc/mugaika/mugaika.conf), MUGAIKA_USER
# (mugaika), MUGAIKA_INET_PORT (8891), MUGAIKA_RELEASE_PORT (10026).
#
# Steps:
#  1. mugaika.conf: internal_domain (the DOMAINs given), socket,
#     socket_group = postfix, socket_mode = 0660, and release_smtp_host =
#     127.0.0.1:10026 (releases bypass the milter);
#  2. the socket directory (unix): install -d -o mugaika -g postfix -m 0750
#     QUEUE_DIRECTORY/mugaika; the user mugaika joins the group postfix so
#     that it may hand its socket to that group (the user postfix stays as
#     it is);
#  3. master.cf: a second smtpd on 127.0.0.1:10026 without the milter, for
#     released originals;
#  4. main.cf: smtpd_milters, non_smtpd_milters, milter_protocol = 6,
#     milter_default_action = tempfail and the milter timeouts;
#  5. mugaika check-config, restart mugaika, check that the socket is there
#     with the right owner, postfix check, reload Postfix.
set -eu

mode=${1:-unix}
[ $# -gt 0 ] && shift
conf=${MUGAIKA_CONF:-/etc/mugaika/mugaika.conf}
user=${MUGAIKA_USER:-mugaika}
inet_port=${MUGAIKA_INET_PORT:-8891}
release_port=${MUGAIKA_RELEASE_PORT:-10026}

say() { printf 'mugaika-postfix-setup: %s\n' "$*"; }
die() {
	printf 'mugaika-postfix-setup: %s\n' "$*" >&2
	exit 1
}

case "$mode" in
unix | inet) ;;
-h | --help)
	sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 0
	;;
*) die "usage: mugaika-postfix-setup [unix|inet] [DOMAIN...]" ;;
esac
[ "$(id -u)" = 0 ] || die "run as root"
command -v postconf >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
command -v postconf >/dev/null 2>&1 || die "postconf not found: install Postfix first (apt-get install postfix)"
command -v mugaika >/dev/null 2>&1 || die "the mugaika command is not installed"
[ -f "$conf" ] || die "$conf: no such file"
id "$user" >/dev/null 2>&1 || die "user $user does not exist (the package creates it; by hand: useradd --system $user)"
getent group postfix >/dev/null || die "group postfix does not exist (is Postfix installed?)"
for _d in "$@"; do
	case "$_d" in
	*[!A-Za-z0-9.-]* | '' | .* | *.) die "$_d: not a mail domain (letters, digits, '.', '-'; IDN in xn-- form)" ;;
	esac
done
if [ $# -eq 0 ] && ! grep -q '^[[:space:]]*internal_domain[[:space:]]*=' "$conf"; then
	die "internal_domain is not set in $conf: give your organisation's mail domain, e.g. mugaika-postfix-setup $mode city.example.lg.jp"
fi

# set_key KEY VALUE: make KEY = VALUE the one active line of $conf (the
# documented, commented line stays as it is).
set_key() {
	if grep -q "^[[:space:]]*$1[[:space:]]*=" "$conf"; then
		sed -i "s|^[[:space:]]*$1[[:space:]]*=.*|$1 = $2|" "$conf"
	else
		printf '%s = %s\n' "$1" "$2" >>"$conf"
	fi
	say "$conf: $1 = $2"
}

# set_list KEY VALUE...: make these the active KEY lines of $conf.
set_list() {
	_k=$1
	shift
	sed -i "/^[[:space:]]*$_k[[:space:]]*=/d" "$conf"
	for _v in "$@"; do
		printf '%s = %s\n' "$_k" "$_v" >>"$conf"
		say "$conf: $_k = $_v"
	done
}

# chroot_of SERVICE/TYPE: the chroot column of that master.cf entry (y|n);
# "-" is Postfix's default, n since Postfix 3.0.
chroot_of() {
	_c=$(postconf -M "$1" 2>/dev/null | awk 'NR == 1 { print $5 }')
	case "$_c" in y) echo y ;; *) echo n ;; esac
}

# milter_list CURRENT OURS: OURS first, then what else CURRENT names (other
# milters stay), without any earlier mugaika entry.
milter_list() {
	_out=$2
	for _m in $(printf '%s' "$1" | tr ',' ' '); do
		case "$_m" in
		"$unix_smtpd" | "$unix_cleanup" | "inet:127.0.0.1:$inet_port" | '$smtpd_milters') ;;
		*) _out="$_out, $_m" ;;
		esac
	done
	printf '%s' "$_out"
}

queue_dir=$(postconf -h queue_directory)
sock_dir="$queue_dir/mugaika"
sock_path="$sock_dir/mugaika.sock"
# A chrooted Postfix daemon sees the queue directory as "/".
unix_smtpd="unix:$sock_path"
unix_cleanup="unix:$sock_path"
[ "$(chroot_of smtp/inet)" = y ] && unix_smtpd="unix:/mugaika/mugaika.sock"
[ "$(chroot_of cleanup/unix)" = y ] && unix_cleanup="unix:/mugaika/mugaika.sock"

say "step 1: $conf"
if [ $# -gt 0 ]; then
	set_list internal_domain "$@"
fi
if [ "$mode" = unix ]; then
	set_key socket "unix:$sock_path"
	set_key socket_group postfix
	set_key socket_mode 0660
	smtpd_milter=$unix_smtpd
	cleanup_milter=$unix_cleanup
else
	set_key socket "inet:$inet_port@127.0.0.1"
	smtpd_milter="inet:127.0.0.1:$inet_port"
	cleanup_milter=$smtpd_milter
fi
set_key release_smtp_host "127.0.0.1:$release_port"

say "step 2: socket directory and group"
if [ "$mode" = unix ]; then
	install -d -o "$user" -g postfix -m 0750 "$sock_dir"
	say "$sock_dir: owner $user, group postfix, mode 0750"
fi
if id -nG "$user" | tr ' ' '\n' | grep -qx postfix; then
	say "$user is in group postfix already"
else
	usermod -a -G postfix "$user"
	say "$user added to group postfix"
fi

say "step 3: master.cf: the release listener 127.0.0.1:$release_port (no milter)"
svc="127.0.0.1:$release_port/inet"
postconf -M "$svc=127.0.0.1:$release_port inet n - $(chroot_of smtp/inet) - - smtpd"
postconf -P "$svc/syslog_name=postfix/mugaika-release" "$svc/smtpd_milters=" \
	"$svc/receive_override_options=no_milters" "$svc/mynetworks=127.0.0.0/8" \
	"$svc/smtpd_client_restrictions=permit_mynetworks,reject"

say "step 4: main.cf"
postconf -e "smtpd_milters = $(milter_list "$(postconf -h smtpd_milters)" "$smtpd_milter")"
if [ "$smtpd_milter" = "$cleanup_milter" ]; then
	postconf -e 'non_smtpd_milters = $smtpd_milters'
else
	postconf -e "non_smtpd_milters = $(milter_list "$(postconf -h non_smtpd_milters)" "$cleanup_milter")"
fi
postconf -e "milter_protocol = 6" "milter_default_action = tempfail" "milter_connect_timeout = 30s" \
	"milter_command_timeout = 60s" "milter_content_timeout = 300s"
postconf smtpd_milters non_smtpd_milters milter_default_action | sed 's/^/mugaika-postfix-setup: main.cf: /'

say "step 5: check, restart mugaika, reload Postfix"
mugaika check-config -c "$conf"
if [ -d /run/systemd/system ]; then
	systemctl enable --quiet mugaika.service
	systemctl restart mugaika.service || {
		journalctl -u mugaika.service -n 20 --no-pager >&2 || true
		die "mugaika did not start (systemctl status mugaika)"
	}
else
	die "systemd is not running: start the daemon yourself (mugaika-milter -c $conf), then: postfix reload"
fi
if [ "$mode" = unix ]; then
	[ -S "$sock_path" ] || die "$sock_path: the milter socket is missing"
	say "$(stat -c '%n: owner %U, group %G, mode %a' "$sock_path")"
fi
postfix check
if [ -d /run/systemd/system ] && systemctl is-active --quiet postfix.service; then
	systemctl reload postfix.service
else
	postfix status >/dev/null 2>&1 && postfix reload || postfix start
fi
say "done: mail through Postfix now passes mugaika ($smtpd_milter); releases go through 127.0.0.1:$release_port"
