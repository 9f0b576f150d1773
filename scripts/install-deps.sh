#!/bin/sh
# Install every Debian 12 package that mugaika needs to build, test and run
# the demo relay.  Run as root.  Safe to run again.
set -eu
PKGS="build-essential autoconf automake pkg-config git ca-certificates
 libglib2.0-dev libgmime-3.0-dev libjson-glib-dev libmagic-dev libclamav-dev
 libxml2-dev libarchive-dev libzip-dev libqpdf-dev libpng-dev libjpeg-dev
 libgif-dev libwebp-dev libtiff-dev libgsf-1-dev nettle-dev libmilter-dev libcmocka-dev libytnef0-dev
 libspf2-dev libopendkim-dev libopendmarc-dev libicu-dev publicsuffix
 postfix miltertest clamav-testfiles qpdf python3 file
 python3-dkim python3-nacl python3-dnspython python3-cryptography openssl p7zip-full opendkim
 clang libclang-rt-14-dev"
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root (sudo)" >&2
	exit 1
fi
# Postfix asks questions at install time; answer them for a local-only MTA.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PKGS
