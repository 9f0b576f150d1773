"""The Japanese corpus: messages as real mailers send them, each with the
exact text a reader must see (issue 13).

build(tag) returns the list of Case objects; `tag` goes into every
Message-ID so that several runs (and the full-stack test) can tell their
messages apart.  Nothing here is committed as .eml: the suite generates
the messages at run time.

Expectations (Case.expect):
  subject, from_name       decoded text the reader sees (exact)
  to_names                 display names in To (exact, in order)
  inner                    [{subject, from_name}] of attached messages, in order
  atts                     names of the delivered attachments, in order
  zips                     {attachment name: [member file names]} of delivered zips
  removed                  names the notice must mention (removed files)
  body                     substrings of the body as the reader sees it
  body_lines               whole lines of the body
  body_absent              strings that must not be in the body
  html_to_text             True/False: was the HTML alternative converted
  notice                   True/False: a notice is expected / not expected
  notice_absent            strings that must not be in the notice
  report_has               strings that must be in the JSON report
"""
import os
import re
import sys
import tempfile

import jcodec as J
import jmime as M
import jstyles as S
from jstyles import Att

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cdr"))
import gen_office  # noqa: E402  (macro .docm and a PE executable, inert, built at run time)


class Case:
    def __init__(self, cid, mailer, items, eml, fullstack=False, en=False, **expect):
        self.cid, self.mailer, self.items, self.eml = cid, mailer, items, eml
        self.fullstack, self.en, self.expect = fullstack, en, expect


def office_bytes(fn):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "f")
        fn(p)
        with open(p, "rb") as f:
            return f.read()


DOCM = office_bytes(gen_office.macro_docm)
EXE = office_bytes(gen_office.exe_as_pdf)
CSV = "氏名,所属,内線\r\n髙橋 一郎,総務課,1234\r\n山﨑 花子,税務課,2345\r\n".encode("cp932")
CSV_UTF8 = "氏名,所属,内線\r\n髙橋 一郎,総務課,1234\r\n".encode("utf-8")
TXT_SJIS = "６月の予定\r\n６／３　防災訓練\r\n６／１０　能登支所 打合せ\r\n".encode("cp932")
TXT_1K = ("令和６年度 事業計画（案）\r\n" + "１．目的　住民サービスの向上を図る。\r\n" * 40).encode("cp932")
PDF = M.pdf(["Meeting minutes", "2026-06-01"])
PDF_JS = M.pdf(["Invoice"], javascript=True)

SIG_OUTLOOK = "\n\n――――――――――――――――――\n株式会社髙﨑システム　営業部\n髙橋 一郎\nTEL 03-1234-5678\n"

BODY_MEETING = ("総務課 ご担当者様\n\nいつもお世話になっております。\n"
                "来週の打合せ資料を添付いたします。\nご確認のほど、よろしくお願いいたします。\n") + SIG_OUTLOOK
BODY_NEC = ("各位\n\n①６月３日（月）１０時〜 第１会議室\n②６月５日（水）１４時〜 ㈱髙﨑システム様 来庁\n"
            "③議題：Ⅲ期工事の進捗（№１２）\n\n以上、よろしくお願いします。\n")
BODY_YEN = "お見積りの件、ご連絡いたします。\n\n見積金額は¥12,800（税込）です。\n有効期限：２０２６年６月３０日\n"


def yen_jis(text):
    return J.enc_jis(text, yen=True)


def families_base(tag):
    """Shapes that decode right today: the controls of the corpus."""
    c = []
    subj = "【至急】①会議室の予約について㈱髙﨑"
    c.append(Case("base-outlook-nec", "Outlook", [0], S.outlook("base-outlook-nec", tag, subj, "髙橋 一郎", BODY_NEC),
                  fullstack=True, subject=subj, from_name="髙橋 一郎", to_names=["総務課"],
                  body_lines=BODY_NEC.split("\n")[2:5], html_to_text=False))
    traps = "波ダッシュ〜と全角チルダ～、マイナス−、‖、¢£¬の確認"
    c.append(Case("base-outlook-traps", "Outlook", [0], S.outlook("base-outlook-traps", tag, "記号の確認〜", "德永 瀨川", traps + "\n"),
                  subject="記号の確認〜", from_name="德永 瀨川", body=[traps]))
    body = "お世話になっております。\n議事録を送付します。\n"
    c.append(Case("base-becky-plain", "Becky!", [0], S.becky("base-becky-plain", tag, "議事録（第２回）の送付", "田中 次郎", body),
                  subject="議事録（第２回）の送付", from_name="田中 次郎", body_lines=body.split("\n")[:2]))
    c.append(Case("base-mew-plain", "Mew", [0], S.unix_mua(
        "base-mew-plain", tag, " ".join(S.jis_words("研究会のお知らせ", 20, "iso-2022-jp")),
        "Yamada Taro <yamada@example.ac.jp>", J.enc_jis("山田です。\n研究会は６月１２日です。\n")),
        subject="研究会のお知らせ", from_name="Yamada Taro", body_lines=["山田です。", "研究会は６月１２日です。"]))
    body = "総務課 各位\n\n添付の件、確認しました。\n修正版を月曜日にお送りします。\n"
    c.append(Case("base-tb-utf8", "Thunderbird", [0], S.thunderbird("base-tb-utf8", tag, "Re: 打合せ資料の件", "山田 太郎", body, flowed=False),
                  fullstack=True, subject="Re: 打合せ資料の件", from_name="山田 太郎", body_lines=body.split("\n")[2:4]))
    long_body = ("総務課 ご担当者様\n\n先日はありがとうございました。\n" + "ご依頼の件につきまして、下記のとおり回答いたします。\n" * 3 +
                 "\n佐藤 健二\n")
    c.append(Case("base-gmail-long", "Gmail", [0], S.gmail("base-gmail-long", tag, "ご依頼の件について（回答）", "佐藤 健二", long_body),
                  subject="ご依頼の件について（回答）", from_name="佐藤 健二", html_to_text=False,
                  body_lines=["先日はありがとうございました。"]))
    emo = "ありがとうございました🙇‍♂️👍🏻🇯🇵❤️1️⃣"
    c.append(Case("base-iphone-emoji", "iPhone", [0], S.iphone("base-iphone-emoji", tag, "お礼🙇‍♂️", "鈴木 花子🌸",
                                                               emo + "\n\niPhoneから送信\n", split=False),
                  subject="お礼🙇‍♂️", from_name="鈴木 花子🌸", body=[emo]))
    euc = "バッチ処理結果\n正常終了：１２３件\n異常終了：０件\n"
    c.append(Case("base-euc-labelled", "cron (EUC-JP)", [0], S.unix_mua(
        "base-euc-labelled", tag, "=?EUC-JP?B?%s?=" % S.b64(J.enc_euc("日次バッチ結果")), "root@batch01.example.lg.jp (Cron Daemon)",
        J.enc_euc(euc), ctype="text/plain; charset=EUC-JP", mailer=None),
        subject="日次バッチ結果", from_name="Cron Daemon", body_lines=euc.split("\n")[:3]))
    sj = "Shift_JIS の本文です。\n表示・能登・ソフト・予定表\n"
    c.append(Case("base-sjis-labelled", "webmail (Shift_JIS)", [0], S.unix_mua(
        "base-sjis-labelled", tag, "=?Shift_JIS?B?%s?=" % S.b64(J.enc_sjis("予定表の送付")), "info@example.jp",
        J.enc_sjis(sj), ctype="text/plain; charset=Shift_JIS", mailer="Active! mail 6"),
        subject="予定表の送付", body_lines=sj.split("\n")[:2]))
    kana = "ﾊﾝｶｸｶﾅ ﾃｽﾄ ｶﾞｷﾞｸﾞ\n"
    c.append(Case("base-becky-kana-esc", "Becky!", [0], S.becky("base-becky-kana-esc", tag, "半角カナの確認", "田中 次郎", kana),
                  subject="半角カナの確認", body=["ﾊﾝｶｸｶﾅ ﾃｽﾄ ｶﾞｷﾞｸﾞ"]))
    c.append(Case("base-becky-kana-so", "CP50222 mailer", [0], S.becky("base-becky-kana-so", tag, "半角カナ SO/SI", "田中 次郎", kana, kana="so"),
                  subject="半角カナ SO/SI", body=["ﾊﾝｶｸｶﾅ ﾃｽﾄ ｶﾞｷﾞｸﾞ"]))
    name = "①議事録_髙﨑.txt"
    c.append(Case("base-tb-2231-jis", "Thunderbird (ISO-2022-JP)", [0], S.thunderbird(
        "base-tb-2231-jis", tag, "議事録", "山田 太郎", "添付します。\n", [Att(name, TXT_SJIS, "text/plain", name_form="2231-jis")],
        flowed=False, charset="ISO-2022-JP"), subject="議事録", atts=[name]))
    zipn = ["資料/会議次第.txt", "資料/出席者名簿.csv"]
    z = J.zip_build([(n.encode("cp932"), TXT_SJIS if n.endswith("txt") else CSV, 0, b"") for n in zipn])
    c.append(Case("base-explorer-zip", "Outlook + Explorer zip", [0], S.outlook(
        "base-explorer-zip", tag, "会議資料の送付", "髙橋 一郎", BODY_MEETING, [Att("会議資料.zip", z, "application/x-zip-compressed")]),
        fullstack=True, subject="会議資料の送付", atts=["会議資料.zip"], zips={"会議資料.zip": zipn}))
    z7 = J.zip_build([(n.encode(), TXT_SJIS, 0x800, b"") for n in ["報告書/概要.txt", "報告書/詳細①.txt"]], made_by=0x003F)
    c.append(Case("base-7zip-utf8", "Thunderbird + 7-Zip", [0], S.thunderbird(
        "base-7zip-utf8", tag, "報告書一式", "山田 太郎", "報告書一式です。\n", [Att("報告書.zip", z7, "application/zip")]),
        subject="報告書一式", atts=["報告書.zip"], zips={"報告書.zip": ["報告書/概要.txt", "報告書/詳細①.txt"]}))
    return c


def families_mailers(tag):
    """Every mailer with a typical attachment whose name has the hard
    characters (0x5C trail bytes, NEC/IBM, long names)."""
    c = []
    names = ["予定表_能登.txt", "申請書（ソフト開発）.txt", "①議事録_髙﨑.txt"]
    for i, name in enumerate(names):
        cid = "mailer-outlook-%d" % i
        c.append(Case(cid, "Outlook", [4, 6], S.outlook(cid, tag, "資料送付（%d）" % i, "髙橋 一郎", BODY_MEETING,
                                                        [Att(name, TXT_SJIS, "text/plain")]),
                      subject="資料送付（%d）" % i, from_name="髙橋 一郎", atts=[name], fullstack=(i == 0)))
        cid = "mailer-o365-%d" % i
        c.append(Case(cid, "Outlook 365", [6, 7], S.o365(cid, tag, "資料送付（%d）" % i, "髙橋 一郎", BODY_MEETING,
                                                         [Att(name, TXT_SJIS, "text/plain")]),
                      subject="資料送付（%d）" % i, from_name="髙橋 一郎", atts=[name]))
        cid = "mailer-tb-%d" % i
        c.append(Case(cid, "Thunderbird", [6], S.thunderbird(cid, tag, "資料送付（%d）" % i, "山田 太郎", BODY_MEETING,
                                                             [Att(name, TXT_SJIS, "text/plain")]),
                      subject="資料送付（%d）" % i, from_name="山田 太郎", atts=[name]))
        cid = "mailer-gmail-%d" % i
        c.append(Case(cid, "Gmail", [6], S.gmail(cid, tag, "資料送付（%d）" % i, "佐藤 健二", BODY_MEETING,
                                                 [Att(name, TXT_SJIS, "text/plain")]),
                      subject="資料送付（%d）" % i, from_name="佐藤 健二", atts=[name]))
        cid = "mailer-becky-%d" % i
        c.append(Case(cid, "Becky!", [6], S.becky(cid, tag, "資料送付（%d）" % i, "田中 次郎", BODY_MEETING,
                                                  [Att(name, TXT_SJIS, "text/plain")]),
                      subject="資料送付（%d）" % i, from_name="田中 次郎", atts=[name]))
        cid = "mailer-iphone-%d" % i
        c.append(Case(cid, "iPhone", [6, 7], S.iphone(cid, tag, "資料送付（%d）" % i, "鈴木 花子", BODY_MEETING,
                                                      [Att(name, TXT_SJIS, "text/plain")]),
                      subject="資料送付（%d）" % i, from_name="鈴木 花子", atts=[name]))
    return c


def families_yen(tag):
    """Item 1: ¥ written as ESC ( J 0x5C must stay ¥, with or without a notice."""
    c = []
    csv = Att("見積明細.csv", CSV, "text/csv")
    c.append(Case("yen-outlook-notice", "Outlook", [1, 8], S.outlook("yen-outlook-notice", tag, "お見積りの件", "髙橋 一郎", BODY_YEN, [csv]),
                  fullstack=True, subject="お見積りの件", body=["見積金額は¥12,800（税込）です。"], body_absent=["\\12,800"],
                  atts=["見積明細.csv"], notice=True))
    c.append(Case("yen-becky-exe", "Becky!", [1, 8], S.becky("yen-becky-exe", tag, "お見積りの件", "田中 次郎", BODY_YEN,
                                                            [Att("請求書.pdf.exe", EXE, "application/octet-stream")]),
                  subject="お見積りの件", body=["見積金額は¥12,800（税込）です。"], body_absent=["\\12,800"], atts=[],
                  removed=["請求書.pdf.exe"], notice=True))
    c.append(Case("yen-mew-nonotice", "Mew", [1], S.unix_mua("yen-mew-nonotice", tag, "=?iso-2022-jp?B?%s?=" % S.b64(yen_jis("¥の確認")),
                                                            "Yamada Taro <yamada@example.ac.jp>", yen_jis(BODY_YEN)),
                  subject="¥の確認", body=["見積金額は¥12,800（税込）です。"], body_absent=["\\12,800"]))
    h = "<html><body><p>見積金額は¥12,800（税込）です。</p><script>alert(1)</script></body></html>\n"
    c.append(Case("yen-html-only", "PHP mb_send_mail (HTML)", [1, 8], S.php_form(
        "yen-html-only", tag, "=?ISO-2022-JP?B?%s?=" % S.b64(yen_jis("お見積り")), yen_jis(h), ctype="text/html; charset=ISO-2022-JP"),
        subject="お見積り", body=["見積金額は¥12,800（税込）です。"], body_absent=["\\12,800"], html_to_text=True, notice=True))
    c.append(Case("yen-tb-flowed-notice", "Thunderbird (ISO-2022-JP)", [1, 9], S.thunderbird(
        "yen-tb-flowed-notice", tag, "お見積りの件", "山田 太郎", BODY_YEN, [Att("見積明細.csv", CSV, "text/csv")], charset="ISO-2022-JP"),
        subject="お見積りの件", body=["見積金額は¥12,800（税込）です。"], body_absent=["\\12,800"], notice=True, atts=["見積明細.csv"]))
    return c


def php_form_body(name="髙橋 一郎"):
    return ("ホームページのお問い合わせフォームから送信されました。\n――――――――――――――――――――\n"
            "お名前：%s\nふりがな：たかはし いちろう\nご住所：石川県輪島市河井町１−２−３\n電話番号：0768-22-0000\n"
            "お問い合わせ内容：\n粗大ごみの収集日を教えてください。\n――――――――――――――――――――\n" % name)


def families_mislabel(tag):
    """Item 2: a wrong label that decodes without errors must not be believed."""
    c = []
    body = php_form_body()
    sj = J.enc_sjis(body)
    c.append(Case("label-php-sjis-latin1", "PHP mail()", [2], S.php_form("label-php-sjis-latin1", tag, J.enc_sjis("お問い合わせ（ホームページ）"), sj),
                  fullstack=True, subject="お問い合わせ（ホームページ）", body=["お名前：髙橋 一郎", "粗大ごみの収集日を教えてください。"],
                  body_absent=["\u0082", "\u0096"]))
    c.append(Case("label-php-sjis-latin1-ew", "PHP mail()", [2, 7], S.php_form(
        "label-php-sjis-latin1-ew", tag, "=?ISO-8859-1?B?%s?=" % S.b64(J.enc_sjis("お問い合わせ")), sj),
        subject="お問い合わせ", body=["お名前：髙橋 一郎"]))
    c.append(Case("label-php-sjis-latin1-q", "PHP mail()", [2, 7], S.php_form(
        "label-php-sjis-latin1-q", tag, J.ew("iso-8859-1", J.enc_sjis("資料請求"), "Q"), sj),
        subject="資料請求", body=["お名前：髙橋 一郎"]))
    c.append(Case("label-php-sjis-1252", "PHP mail()", [2], S.php_form("label-php-sjis-1252", tag, "Contact form", sj, label="windows-1252"),
                  subject="Contact form", body=["お名前：髙橋 一郎"]))
    c.append(Case("label-php-euc-latin1", "PHP mail() (EUC-JP site)", [2], S.php_form("label-php-euc-latin1", tag, "Inquiry",
                                                                                      J.enc_euc(php_form_body("山田 花子"))),
                  subject="Inquiry", body=["お名前：山田 花子", "粗大ごみの収集日を教えてください。"]))
    c.append(Case("label-php-utf8-latin1", "PHP mail() (UTF-8 site)", [2], S.php_form("label-php-utf8-latin1", tag, "Inquiry",
                                                                                      php_form_body("佐藤 健二").encode()),
                  subject="Inquiry", body=["お名前：佐藤 健二"], body_absent=["ã"]))
    h = ('<html><head><meta charset="Shift_JIS"><title>お問い合わせ</title></head><body>\n<table><tr><td>お名前</td><td>髙橋 一郎</td></tr>\n'
         '<tr><td>内容</td><td>粗大ごみの収集日を教えてください。</td></tr></table></body></html>\n')
    c.append(Case("label-html-latin1-meta-sjis", "PHP HTML mail", [2], S.php_form(
        "label-html-latin1-meta-sjis", tag, "Inquiry (HTML)", J.enc_sjis(h), ctype="text/html; charset=ISO-8859-1"),
        fullstack=True, subject="Inquiry (HTML)", body=["髙橋 一郎", "粗大ごみの収集日を教えてください。"], html_to_text=True))
    h2 = h.replace('<meta charset="Shift_JIS">', '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
    c.append(Case("label-html-latin1-httpequiv-sjis", "CMS HTML mail", [2], S.php_form(
        "label-html-latin1-httpequiv-sjis", tag, "Inquiry (HTML)", J.enc_sjis(h2), ctype="text/html; charset=iso-8859-1"),
        subject="Inquiry (HTML)", body=["髙橋 一郎"], html_to_text=True))
    h3 = h.replace('charset="Shift_JIS"', 'charset="utf-8"')
    c.append(Case("label-html-sjis-meta-utf8", "CMS HTML mail", [2], S.php_form(
        "label-html-sjis-meta-utf8", tag, "Inquiry (HTML)", J.enc_sjis(h3), ctype="text/html; charset=Shift_JIS"),
        subject="Inquiry (HTML)", body=["髙橋 一郎"], html_to_text=True))
    h4 = h.replace('charset="Shift_JIS"', 'charset="EUC-JP"')
    c.append(Case("label-html-latin1-meta-euc", "CMS HTML mail", [2], S.php_form(
        "label-html-latin1-meta-euc", tag, "Inquiry (HTML)", J.enc_euc(h4), ctype="text/html; charset=iso-8859-1"),
        subject="Inquiry (HTML)", body=["髙橋 一郎"], html_to_text=True))
    alt = M.multi("alternative", "b1_5f1e2d", [
        M.leaf("text/plain; charset=iso-8859-1", J.enc_sjis(body), "8bit"),
        M.leaf("text/html; charset=iso-8859-1", J.enc_sjis(h), "8bit")], ctype_fmt='multipart/%s; boundary="%s"')
    c.append(Case("label-alt-latin1-sjis", "PHPMailer", [2], M.message(
        [("To", S.RCPT), ("Subject", "=?UTF-8?B?%s?=" % S.b64("資料請求フォーム".encode())), ("From", "form@www.example-hp.jp"),
         ("Message-ID", S.mid("label-alt-latin1-sjis", tag, "www.example-hp.jp")), ("MIME-Version", "1.0"),
         ("X-Mailer", "PHPMailer 5.2.9 (https://github.com/PHPMailer/PHPMailer/)"), ("Date", S.DATE)], alt),
        subject="資料請求フォーム", body=["お名前：髙橋 一郎"]))
    # controls: Latin text under a Latin label must stay Latin
    de = "Sehr geehrte Damen und Herren,\n\nanbei die Unterlagen für das Treffen in München.\nMit freundlichen Grüßen\nFrédéric Müller\n"
    c.append(Case("label-latin1-german", "Outlook (German)", [2], S.php_form("label-latin1-german", tag, J.ew("iso-8859-1", "Unterlagen für München".encode("latin-1"), "Q"),
                                                                             de.encode("latin-1")),
                  subject="Unterlagen für München", body_lines=["anbei die Unterlagen für das Treffen in München.",
                                                                "Mit freundlichen Grüßen", "Frédéric Müller"]))
    en = "Hi,\n\nPlease find the \u201cfinal\u201d report attached \u2013 thanks!\nBest regards,\nJohn\n"
    c.append(Case("label-latin1-smartquotes", "Outlook (English)", [2], S.php_form(
        "label-latin1-smartquotes", tag, "Final report", en.encode("cp1252")),
        subject="Final report", body_lines=["Please find the \u201cfinal\u201d report attached \u2013 thanks!"]))
    fr = "Bonjour,\n\nVoici le programme de la réunion à Kyōto – été 2026.\nÀ bientôt, Hélène\n"
    c.append(Case("label-1252-french", "Outlook (French)", [2], S.php_form(
        "label-1252-french", tag, J.ew("windows-1252", "Réunion".encode("cp1252"), "Q"), fr.replace("ō", "o").encode("cp1252"), label="windows-1252"),
        subject="Réunion", body_lines=["Voici le programme de la réunion à Kyoto – été 2026."]))
    return c


def families_kana(tag):
    """Item 3: unlabelled Shift_JIS of half-width kana only is Shift_JIS."""
    c = []
    subj = "ｼｽﾃﾑ ﾃｲｼﾉ ｵｼﾗｾ"
    body = "ｼｽﾃﾑ ﾃｲｼﾉ ｵｼﾗｾ\nﾆﾁｼﾞ 6/1 22:00-24:00\nｴｲｷｮｳ ﾊﾝｲ ｾﾞﾝｼｽﾃﾑ\n"
    c.append(Case("kana-batch-nomime", "batch mailer", [3], S.unix_mua("kana-batch-nomime", tag, J.enc_sjis(subj), "batch@host01.example.lg.jp",
                                                                      J.enc_sjis(body), mime=False, mailer=None),
                  fullstack=True, subject=subj, body_lines=body.split("\n")[:3]))
    c.append(Case("kana-batch-nocharset", "batch mailer", [3], S.unix_mua("kana-batch-nocharset", tag, J.enc_sjis(subj), "batch@host01.example.lg.jp",
                                                                         J.enc_sjis(body), ctype="text/plain", mailer=None),
                  subject=subj, body_lines=body.split("\n")[:3]))
    b2 = "ｹｯｶ ｾｲｼﾞｮｳ\nｹﾝｽｳ 123\n"
    c.append(Case("kana-batch-short", "batch mailer", [3], S.unix_mua("kana-batch-short", tag, J.enc_sjis("ｼｭｳｹｲ ｹｯｶ"), "batch@host01.example.lg.jp",
                                                                     J.enc_sjis(b2), mime=False, mailer=None),
                  subject="ｼｭｳｹｲ ｹｯｶ", body_lines=b2.split("\n")[:2]))
    c.append(Case("kana-batch-name", "batch mailer", [3, 4], S.unix_mua(
        "kana-batch-name", tag, J.enc_sjis("ｹｯｶ ｿｳﾌ"), "batch@host01.example.lg.jp", J.enc_sjis(b2), ctype="text/plain", mailer=None,
        atts=[Att("ｹｯｶ.csv", CSV, "text/csv")], form="raw-sjis"), subject="ｹｯｶ ｿｳﾌ", atts=["ｹｯｶ.csv"]))
    euc = "本日の処理は正常に終了しました。\nご確認ください。\n"
    c.append(Case("kana-control-euc", "cron (EUC-JP, unlabelled)", [3], S.unix_mua("kana-control-euc", tag, J.enc_euc("処理結果のお知らせ"),
                                                                                  "root@host02.example.lg.jp", J.enc_euc(euc), mime=False, mailer=None),
                  subject="処理結果のお知らせ", body_lines=euc.split("\n")[:2]))
    euck = "ｶﾅ を含む EUC-JP の本文です。\n"
    c.append(Case("kana-control-euc-kana", "cron (EUC-JP, unlabelled)", [3], S.unix_mua("kana-control-euc-kana", tag, J.enc_euc("ｶﾅ 入りの件名"),
                                                                                       "root@host02.example.lg.jp", J.enc_euc(euck), mime=False, mailer=None),
                  subject="ｶﾅ 入りの件名", body_lines=[euck.strip()]))
    return c


def families_names(tag):
    """Item 4: raw CP932 names with 0x5C trail bytes; Lotus Notes' unquoted folded words."""
    c = []
    for i, name in enumerate(["予定表_能登.txt", "ソフト一覧表.csv", "能登_予定表"]):
        cid = "name-raw-sjis-%d" % i
        c.append(Case(cid, "PHP / old Windows software", [4], S.unix_mua(
            cid, tag, "=?ISO-2022-JP?B?%s?=" % S.b64(J.enc_jis("添付ファイル")), "system@example.jp", J.enc_jis("添付します。\n"),
            ctype="text/plain; charset=ISO-2022-JP", mailer="Sendmail-php", atts=[Att(name, TXT_SJIS, "text/plain")], form="raw-sjis"),
            fullstack=(i == 0), subject="添付ファイル", atts=[name if "." in name else name + ".txt"]))
        # (issue 12: a text file without an extension is delivered with .txt)
    for i, name in enumerate(["予定表_能登.txt", "令和６年度_補助金交付申請書（様式第１号）.txt"]):
        cid = "name-notes-folded-%d" % i
        c.append(Case(cid, "Lotus Notes", [4], S.notes(cid, tag, "申請書の送付", "小林 三郎", "申請書を送付します。\n",
                                                      [Att(name, TXT_SJIS, "text/plain")]),
                      fullstack=(i == 0), subject="申請書の送付", from_name="小林 三郎", atts=[name]))
    cid = "name-notes-sjis-folded"
    sjw = "\n ".join(J.ew_split_chars("Shift_JIS", "見積書_髙﨑.txt", 5))
    c.append(Case(cid, "Lotus Notes (Shift_JIS)", [4], S.notes(cid, tag, "見積書", "小林 三郎", "見積書です。\n", [Att(
        "見積書_髙﨑.txt", TXT_SJIS, "text/plain", raw_ct="text/plain; \n\tname=" + sjw, raw_cd="attachment; filename=" + sjw)]),
        subject="見積書", atts=["見積書_髙﨑.txt"]))
    cid = "name-raw-euc"
    c.append(Case(cid, "old Unix MUA", [4], S.unix_mua(cid, tag, "=?ISO-2022-JP?B?%s?=" % S.b64(J.enc_jis("資料")), "user@example.ac.jp",
                                                       J.enc_jis("資料です。\n"), atts=[Att("研究資料.txt", TXT_SJIS, "text/plain")],
                                                       form="raw-euc"),
                  subject="資料", atts=["研究資料.txt"]))
    cid = "name-raw-utf8"
    c.append(Case(cid, "web application", [4], S.unix_mua(cid, tag, "=?UTF-8?B?%s?=" % S.b64("申込書".encode()), "noreply@example.jp",
                                                           "申込書です。\n".encode(), ctype="text/plain; charset=UTF-8", mailer=None,
                                                           atts=[Att("申込書①.txt", TXT_SJIS, "text/plain")], form="raw-utf8"),
                  subject="申込書", atts=["申込書①.txt"]))
    cid = "name-2231-split-char"
    n = "令和６年度_事業計画書（最終版）.txt"
    c.append(Case(cid, "Thunderbird (split RFC 2231)", [4, 6], S.thunderbird(cid, tag, "事業計画書", "山田 太郎", "添付します。\n",
                                                                             [Att(n, TXT_SJIS, "text/plain", name_form="2231-split")]),
                  subject="事業計画書", atts=[n]))
    cid = "name-sjis-2047"
    c.append(Case(cid, "Outlook Express (Shift_JIS)", [4], S.unix_mua(
        cid, tag, "=?Shift_JIS?B?%s?=" % S.b64(J.enc_sjis("予定表")), "user@example.ne.jp", J.enc_sjis("予定表です。\n"),
        ctype="text/plain; charset=Shift_JIS", mailer="Microsoft Outlook Express 6.00.2900.5931",
        atts=[Att("予定表_能登.txt", TXT_SJIS, "text/plain")], form="sjis-2047"), subject="予定表", atts=["予定表_能登.txt"]))
    return c


def inner_msg(subject_hdr, from_hdr, body, extra=(), ctype="text/plain; charset=ISO-2022-JP"):
    pairs = [("From", from_hdr), ("To", S.RCPT), ("Subject", subject_hdr), ("Date", "Fri, 29 May 2026 17:02:11 +0900"),
             ("Message-ID", "<inner.%d@example.co.jp>" % len(body)), ("MIME-Version", "1.0")] + list(extra)
    return M.message(pairs, M.leaf(ctype, body, "7bit" if not any(x >= 0x80 for x in body) else "8bit"))


LONG_INNER_SUBJ = "【重要】令和６年度第２回情報セキュリティ研修（標的型攻撃メール訓練を含む）の実施について（ご案内）"


def families_forward(tag):
    """Item 5: headers of attached messages keep every character and are re-encoded cleanly."""
    c = []
    frm = "㈱髙﨑システム 営業部"
    inner = inner_msg(J.fold_words(J.ew_split_chars("ISO-2022-JP", LONG_INNER_SUBJ, 30), 9),
                      S.addr(" ".join(S.jis_words(frm, 20)), "eigyo@takasaki-sys.example.co.jp"), J.enc_jis("転送元の本文です。\n"))
    cid = "fwd-outlook-jis-nec"
    eml = S.outlook(cid, tag, "FW: 研修のご案内", "髙橋 一郎", "転送します。\n", html_part=False)
    eml = _wrap_rfc822(eml, inner, "----=_NextPart_000_0020_01DA9A3B")
    c.append(Case(cid, "Outlook (forward as attachment)", [5, 6], eml, fullstack=True, subject="FW: 研修のご案内",
                  inner=[dict(subject=LONG_INNER_SUBJ, from_name=frm)]))
    inner = inner_msg("=?Shift_JIS?B?%s?=" % S.b64(J.enc_sjis("見積依頼")),
                      S.addr("=?Shift_JIS?B?%s?=" % S.b64(J.enc_sjis("髙橋")), "takahashi@example.co.jp"),
                      J.enc_sjis("見積をお願いします。\n"), ctype="text/plain; charset=Shift_JIS")
    cid = "fwd-tb-sjis-2047"
    eml = _wrap_rfc822(S.thunderbird(cid, tag, "Fwd: 見積依頼", "山田 太郎", "転送します。\n", flowed=False), inner, "------------fwd1")
    c.append(Case(cid, "Thunderbird (forward as attachment)", [5], eml, subject="Fwd: 見積依頼", inner=[dict(subject="見積依頼", from_name="髙橋")]))
    inner = inner_msg(J.fold_words(J.ew_split_bytes("utf-8", "職員研修のご案内（第３回）".encode(), 28), 9),
                      S.addr(" ".join(J.ew_split_bytes("utf-8", "人事課 研修係".encode(), 10)), "jinji@example.lg.jp"),
                      "研修のご案内です。\n".encode(), ctype="text/plain; charset=utf-8")
    cid = "fwd-o365-split"
    eml = _wrap_rfc822(S.o365(cid, tag, "FW: 職員研修", "髙橋 一郎", "転送します。\n"), inner, "_005_fwd_")
    c.append(Case(cid, "Outlook 365 (forward as attachment)", [5, 7], eml, subject="FW: 職員研修",
                  inner=[dict(subject="職員研修のご案内（第３回）", from_name="人事課 研修係")]))
    inner = inner_msg(J.enc_jis("生の JIS 件名"), J.enc_jis("山田 太郎") + b" <yamada@example.ac.jp>", J.enc_jis("本文\n"))
    cid = "fwd-becky-raw-jis"
    eml = _wrap_rfc822(S.becky(cid, tag, "転送：生の JIS 件名", "田中 次郎", "転送します。\n"), inner, "------_fwd_MultiPart")
    c.append(Case(cid, "Becky! (forward of an old MUA's mail)", [5, 7], eml, subject="転送：生の JIS 件名",
                  inner=[dict(subject="生の JIS 件名", from_name="山田 太郎")]))
    inner = inner_msg(J.fold_words(S.utf8_words(LONG_INNER_SUBJ, 40), 9), "=?UTF-8?B?%s?= <a@example.jp>" % S.b64("総務部 情報政策課".encode()),
                      "案内です。\n".encode(), ctype="text/plain; charset=UTF-8")
    cid = "fwd-gmail-long"
    eml = _wrap_rfc822(S.gmail(cid, tag, "Fwd: 研修", "佐藤 健二", "転送します。\n"), inner, "000000000000fwd")
    c.append(Case(cid, "Gmail (forward as attachment)", [5, 6], eml, subject="Fwd: 研修",
                  inner=[dict(subject=LONG_INNER_SUBJ, from_name="総務部 情報政策課")]))
    inner2 = inner_msg("=?ISO-2022-JP?B?%s?=" % S.b64(J.enc_jis("Ⅲ期工事の件")),
                       S.addr("=?ISO-2022-JP?B?%s?=" % S.b64(J.enc_jis("德永 瀨川")), "tokunaga@example.co.jp"), J.enc_jis("本文\n"))
    mid_ = _wrap_rfc822(M.message([("From", "=?ISO-2022-JP?B?%s?= <b@example.jp>" % S.b64(J.enc_jis("中継 者"))), ("To", S.RCPT),
                                   ("Subject", "=?ISO-2022-JP?B?%s?=" % S.b64(J.enc_jis("転送：Ⅲ期工事"))),
                                   ("Message-ID", "<mid.1@example.jp>"), ("MIME-Version", "1.0")],
                                  M.leaf("text/plain; charset=ISO-2022-JP", J.enc_jis("転送です。\n"))), inner2, "nest-b2")
    cid = "fwd-nested"
    eml = _wrap_rfc822(S.outlook(cid, tag, "FW: FW: Ⅲ期工事", "髙橋 一郎", "再転送します。\n", html_part=False), mid_, "nest-b1")
    c.append(Case(cid, "Outlook (nested forwards)", [5], eml, subject="FW: FW: Ⅲ期工事",
                  inner=[dict(subject="転送：Ⅲ期工事", from_name="中継 者"), dict(subject="Ⅲ期工事の件", from_name="德永 瀨川")]))
    return c


def _wrap_rfc822(outer, inner, boundary):
    """Turn a single-part message into multipart/mixed with `inner` attached."""
    head, _, rest = outer.partition(b"\nContent-Type:")
    ctype_and_body = b"Content-Type:" + rest
    return head + b"\n" + M.multi("mixed", boundary, [ctype_and_body, M.rfc822(inner)],
                                  ctype_fmt='multipart/%s; boundary="%s"')


def families_long(tag):
    """Item 6: nothing over 998, words <= 75, folded; names in both forms, cut on characters."""
    c = []
    long_subj = ("【お知らせ】" + "令和６年度の住民税の申告受付期間および会場の変更について、" * 10)[:300]
    cid = "long-raw-utf8-subject"
    c.append(Case(cid, "web application (raw UTF-8)", [6], S.unix_mua(
        cid, tag, long_subj.encode(), "noreply@portal.example.lg.jp", "お知らせです。\n".encode(),
        ctype="text/plain; charset=UTF-8", mailer=None), fullstack=True, subject=long_subj))
    cid = "long-single-word"
    c.append(Case(cid, "webmail (one long word)", [6], S.unix_mua(
        cid, tag, "=?UTF-8?B?%s?=" % S.b64(long_subj[:150].encode()), "=?UTF-8?B?%s?= <info@example.jp>" % S.b64(("株式会社" + "長い名前の会社" * 8).encode()),
        "本文\n".encode(), ctype="text/plain; charset=UTF-8", mailer="Roundcube Webmail/1.4"),
        subject=long_subj[:150], from_name="株式会社" + "長い名前の会社" * 8))
    to_names = ["総務課 %s" % n for n in ["髙橋 一郎", "山﨑 花子", "田中 次郎", "鈴木 三郎", "佐藤 四郎", "伊藤 五郎",
                                          "渡辺 六郎", "山本 七郎", "中村 八郎", "小林 九郎", "加藤 十郎", "吉田 十一"]]
    to = ",\n\t".join(S.addr(" ".join(S.jis_words(n, 8)), "u%d@city.example.lg.jp" % i).decode() for i, n in enumerate(to_names))
    cid = "long-to-list"
    c.append(Case(cid, "Outlook (many recipients)", [6], S.outlook(cid, tag, "全体連絡", "髙橋 一郎", "各位\n連絡です。\n",
                                                                   ov={"To": to}), subject="全体連絡", to_names=to_names))
    ln = "令和６年度_第２回_情報セキュリティ研修_標的型攻撃メール訓練_実施結果報告書（最終版・部外秘）①.txt"
    for form, mailer in [("jis-quoted", "Outlook"), ("2231", "Thunderbird"), ("utf8-quoted", "Gmail")]:
        cid = "long-name-" + form
        c.append(Case(cid, mailer, [6], S.thunderbird(cid, tag, "報告書", "山田 太郎", "添付します。\n",
                                                      [Att(ln, TXT_SJIS, "text/plain", name_form=form)], flowed=False),
                      subject="報告書", atts=[ln], fullstack=(form == "2231")))
    refs = " ".join("<%08x.%d@mail.example.jp>" % (i * 2654435761 & 0xFFFFFFFF, i) for i in range(14))
    cid = "long-references"
    c.append(Case(cid, "Thunderbird (long thread)", [6], S.thunderbird(cid, tag, "Re: Re: Re: 調整", "山田 太郎", "了解です。\n",
                                                                       flowed=False, extra=[("References", J.fold_words(refs.split(), 12))]),
                  subject="Re: Re: Re: 調整"))
    cid = "long-unfolded-ascii"
    c.append(Case(cid, "mailing list software", [6], S.unix_mua(
        cid, tag, "[city-info:01234] " + "Notice of scheduled maintenance of the portal system " * 3, "list@example.jp",
        b"maintenance\n", ctype="text/plain; charset=us-ascii", mailer=None),
        subject=("[city-info:01234] " + "Notice of scheduled maintenance of the portal system " * 3).strip()))
    return c


def families_broken_words(tag):
    """Item 7: encoded words split inside characters and escapes, raw ESC $ B."""
    c = []
    s = "職員研修のご案内（第３回）"
    cid = "ew-o365-split"
    c.append(Case(cid, "Outlook 365", [7], S.o365(cid, tag, s, "人事課 研修係", "研修のご案内です。\n"), fullstack=True,
                  subject=s, from_name="人事課 研修係"))
    cid = "ew-iphone-split"
    c.append(Case(cid, "iPhone", [7], S.iphone(cid, tag, "明日の打合せ場所の変更について", "鈴木 花子", "場所が変わりました。\n"),
                  subject="明日の打合せ場所の変更について", from_name="鈴木 花子"))
    s1 = "職員研修 第3回 のご案内"
    jis = J.enc_jis(s1)
    cut = jis.index(b"\x1b$B", 2) + 2  # between "ESC $" and "B" of the second designation
    words = [J.ew("ISO-2022-JP", jis[:cut]), J.ew("ISO-2022-JP", jis[cut:])]
    cid = "ew-jis-split-escape"
    c.append(Case(cid, "nkf-based script", [7], S.unix_mua(cid, tag, "\n ".join(words), "info@example.jp", J.enc_jis("本文\n"),
                                                           ctype="text/plain; charset=ISO-2022-JP", mailer=None),
                  fullstack=True, subject=s1))
    s2 = "【至急】①会議室の予約"
    j2 = J.enc_jis(s2)
    words = J.ew_split_bytes("ISO-2022-JP", j2, 9)
    cid = "ew-jis-split-pair"
    c.append(Case(cid, "old Outlook Express", [7], S.unix_mua(cid, tag, " ".join(words), "info@example.jp", J.enc_jis("本文\n"),
                                                              ctype="text/plain; charset=ISO-2022-JP", mailer="Microsoft Outlook Express 6.00"),
                  subject=s2))
    cid = "ew-raw-esc-subject"
    c.append(Case(cid, "old Unix MUA (no MIME)", [7], S.unix_mua(cid, tag, J.enc_jis("会議の日程について"), "Yamada Taro <yamada@example.ac.jp>",
                                                                J.enc_jis("本文です。\n"), mime=False, mailer="MH 6.8.4"),
                  fullstack=True, subject="会議の日程について", body_lines=["本文です。"]))
    cid = "ew-raw-esc-from"
    c.append(Case(cid, "old Unix MUA (no MIME)", [7], S.unix_mua(cid, tag, J.enc_jis("ご連絡"), J.enc_jis("山田 太郎") + b" <yamada@example.ac.jp>",
                                                                J.enc_jis("本文です。\n"), mime=False, mailer=None),
                  subject="ご連絡", from_name="山田 太郎"))
    cid = "ew-q-split"
    c.append(Case(cid, "Outlook 365 (Q)", [7], S.unix_mua(cid, tag, " ".join(J.ew_split_bytes("utf-8", "資料の再送について".encode(), 8, "Q")),
                                                          "a@example.jp", "本文\n".encode(), ctype="text/plain; charset=utf-8", mailer=None),
                  subject="資料の再送について"))
    cid = "ew-sjis-split"
    c.append(Case(cid, "Japanese webmail (Shift_JIS words)", [7], S.unix_mua(
        cid, tag, " ".join(J.ew_split_bytes("Shift_JIS", J.enc_sjis("予定表の送付について"), 5)), "a@example.jp", J.enc_sjis("本文\n"),
        ctype="text/plain; charset=Shift_JIS", mailer=None), subject="予定表の送付について"))
    cid = "ew-controls"
    c.append(Case(cid, "broken web form", [7], S.unix_mua(
        cid, tag, "=?UTF-8?Q?=E5=AE=9B=E5=85=88=07=1B[31m?= =?UTF-8?B?%s?=" % S.b64("確認\r\n".encode()), "a@example.jp", "本文\n".encode(),
        ctype="text/plain; charset=utf-8", mailer=None), subject="宛先[31m確認"))
    cid = "ew-quoted-name"
    c.append(Case(cid, "PHP mb_send_mail", [7], S.unix_mua(
        cid, tag, "=?ISO-2022-JP?B?%s?=" % S.b64(J.enc_jis("受付完了")), '"=?ISO-2022-JP?B?%s?=" <noreply@example.jp>' % S.b64(J.enc_jis("市役所 受付")),
        J.enc_jis("受付しました。\n"), ctype="text/plain; charset=ISO-2022-JP", mailer="PHP/7.4"),
        subject="受付完了", from_name="市役所 受付"))
    cid = "ew-adjacent-text"
    c.append(Case(cid, "mobile carrier mailer", [7], S.unix_mua(
        cid, tag, "Re:=?UTF-8?B?%s?=" % S.b64("日程".encode()), "a@docomo.example.ne.jp", "了解\n".encode(),
        ctype="text/plain; charset=utf-8", mailer=None), subject="Re:日程"))
    cid = "ew-mixed-charsets"
    c.append(Case(cid, "forwarding script", [7], S.unix_mua(
        cid, tag, "=?ISO-2022-JP?B?%s?= =?UTF-8?B?%s?=" % (S.b64(J.enc_jis("【転送】")), S.b64("㈱髙﨑様より🙇".encode())), "a@example.jp",
        "本文\n".encode(), ctype="text/plain; charset=utf-8", mailer=None), subject="【転送】㈱髙﨑様より🙇"))
    cid = "ew-lang-tag"
    c.append(Case(cid, "RFC 2231 aware MUA", [7], S.unix_mua(
        cid, tag, "=?UTF-8*ja?B?%s?=" % S.b64("言語タグ付き".encode()), "a@example.jp", "本文\n".encode(),
        ctype="text/plain; charset=utf-8", mailer=None), subject="言語タグ付き"))
    cid = "ew-thread-topic"
    c.append(Case(cid, "Outlook 365", [7], S.o365(cid, tag, "Ⅲ期工事の工程表（改訂）", "髙橋 一郎", "本文\n"),
                  subject="Ⅲ期工事の工程表（改訂）"))
    cid = "ew-raw-sjis-subject"
    c.append(Case(cid, "old Windows tool (raw Shift_JIS)", [7], S.unix_mua(
        cid, tag, J.enc_sjis("見積書送付の件（能登支所）"), J.enc_sjis("髙橋") + b" <t@example.jp>", J.enc_sjis("本文\n"), mime=False, mailer=None),
        subject="見積書送付の件（能登支所）", from_name="髙橋"))
    return c


def families_notice(tag):
    """Item 8: a notice in Japanese, end to end."""
    c = []
    atts = [Att("会議メモ.txt", TXT_SJIS, "text/plain"), Att("出席者一覧.csv", CSV, "text/csv"),
            Att("事業計画.txt", TXT_1K, "text/plain")]
    cid = "notice-kept-rebuilt"
    c.append(Case(cid, "Outlook", [8], S.outlook(cid, tag, "会議資料", "髙橋 一郎", BODY_MEETING, atts), fullstack=True, en=True,
                  subject="会議資料", atts=["会議メモ.txt", "出席者一覧.csv", "事業計画.txt"], notice=True))
    cid = "notice-double-ext"
    c.append(Case(cid, "Gmail", [8], S.gmail(cid, tag, "請求書の送付", "経理 担当", "請求書を送付します。\n",
                                            [Att("請求書.pdf.exe", EXE, "application/octet-stream")]),
                  fullstack=True, en=True, subject="請求書の送付", atts=[], removed=["請求書.pdf.exe"], notice=True))
    cid = "notice-pdf-js"
    c.append(Case(cid, "Outlook 365", [8], S.o365(cid, tag, "請求書", "経理 担当", "ご確認ください。\n",
                                                  [Att("請求書_６月分.pdf", PDF_JS, "application/pdf")]),
                  en=True, subject="請求書", atts=["請求書_６月分.pdf"], notice=True))
    cid = "notice-docm"
    c.append(Case(cid, "Outlook", [8], S.outlook(cid, tag, "報告書（マクロ付き）", "髙橋 一郎", "報告書です。\n",
                                                [Att("報告書_令和6年度.docm", DOCM, "application/vnd.ms-word.document.macroEnabled.12")]),
                  en=True, subject="報告書（マクロ付き）", atts=["報告書_令和6年度.docx"], notice=True))
    h = ("<html><head><script>location.href='https://evil.example/'</script></head><body><p>お知らせ：窓口の受付時間が変わります。</p>"
         "<form action='https://evil.example/'><input name=p></form><div style='display:none'>隠し文字</div></body></html>\n")
    cid = "notice-html-script"
    c.append(Case(cid, "newsletter (HTML only)", [8], S.php_form(cid, tag, "=?UTF-8?B?%s?=" % S.b64("お知らせ".encode()), h.encode(),
                                                                 ctype="text/html; charset=utf-8"),
                  en=True, subject="お知らせ", body=["窓口の受付時間が変わります。"], body_absent=["隠し文字"], html_to_text=True, notice=True))
    zipped = J.zip_build([("明細.txt".encode("cp932"), TXT_SJIS, 0, b""), ("実行.exe".encode("cp932"), EXE, 0, b"")])
    cid = "notice-zip-member-removed"
    c.append(Case(cid, "Becky! + Lhaplus zip", [8], S.becky(cid, tag, "明細", "田中 次郎", "明細です。\n",
                                                           [Att("明細一式.zip", zipped, "application/x-zip-compressed")]),
                  en=True, subject="明細", atts=["明細一式.zip"], zips={"明細一式.zip": ["明細.txt"]}, removed=["実行.exe"], notice=True))
    ppap = J.zip_build([("見積書.txt".encode("cp932"), bytes(range(256)) * 2, 0x1, b"")], deflate=False)
    cid = "notice-ppap"
    c.append(Case(cid, "Outlook (PPAP)", [8], S.outlook(cid, tag, "見積書（パスワード別送）", "髙橋 一郎", "パスワードは別途お送りします。\n",
                                                       [Att("見積書.zip", ppap, "application/x-zip-compressed")]),
                  en=True, subject="見積書（パスワード別送）", atts=[], removed=["見積書.zip"], notice=True,
                  names=["見積書.txt"]))  # issue 12: the English reason names the encrypted member
    cid = "notice-signed"
    inner = M.leaf('text/plain; charset="iso-2022-jp"', J.enc_jis("署名付きの本文です。\n"), "7bit")
    signed = M.multi("signed", "----sig_b1", [inner, M.leaf('application/pkcs7-signature; name="smime.p7s"', b"\x30\x82\x01\x00" + b"\0" * 64, "base64",
                                                             [("Content-Disposition", 'attachment; filename="smime.p7s"')])],
                     ctype_fmt='multipart/%s; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="%s"')
    c.append(Case(cid, "Outlook (S/MIME signed)", [8], M.message(
        [("From", "=?iso-2022-jp?B?%s?= <t@example.co.jp>" % S.b64(J.enc_jis("髙橋 一郎"))), ("To", S.RCPT),
         ("Subject", "=?iso-2022-jp?B?%s?=" % S.b64(J.enc_jis("署名付き"))), ("Date", S.DATE),
         ("Message-ID", S.mid(cid, tag, "example.co.jp")), ("MIME-Version", "1.0")], signed),
        en=True, subject="署名付き", body=["署名付きの本文です。"], notice=True))
    return c


def families_small(tag):
    """Item 9: short replies, Mac zips, format=flowed, NFD names."""
    c = []
    short = "了解しました。\n明日伺います。\n"
    cid = "small-gmail-short"
    c.append(Case(cid, "Gmail (short reply)", [9], S.gmail(cid, tag, "Re: 打合せ", "佐藤 健二", short), fullstack=True,
                  subject="Re: 打合せ", html_to_text=False, body_lines=["了解しました。", "明日伺います。"]))
    cid = "small-iphone-short"
    c.append(Case(cid, "iPhone (short reply)", [9], S.iphone(cid, tag, "Re: 打合せ", "鈴木 花子", "承知しました！\n\niPhoneから送信\n", split=False),
                  subject="Re: 打合せ", html_to_text=False, body_lines=["承知しました！", "iPhoneから送信"]))
    cid = "small-o365-short"
    c.append(Case(cid, "Outlook 365 (short reply)", [9], S.o365(cid, tag, "RE: 確認", "髙橋 一郎", "確認しました。\n髙橋\n", split=False),
                  subject="RE: 確認", html_to_text=False, body_lines=["確認しました。", "髙橋"]))
    stub = "This is an HTML message. Please use an HTML capable mail program to read this message.\n"
    hb = "<html><body><p>新しいお知らせがあります。</p></body></html>\n"
    cid = "small-stub-html"
    c.append(Case(cid, "newsletter with stub plain part", [9], S.gmail(cid, tag, "お知らせ", "広報 担当", stub, html_body=hb),
                  subject="お知らせ", html_to_text=True, body=["新しいお知らせがあります。"]))
    mac_entries = [("資料/".encode(), None, 0, b""), (S.nfd("資料/データ一覧.txt").encode(), TXT_SJIS, 0, b""),
                   (S.nfd("資料/プレゼン用ガイド.txt").encode(), TXT_SJIS, 0, b""),
                   ("資料/.DS_Store".encode(), b"\0\0\0\1Bud1" + b"\0" * 64, 0, b""),
                   (b"__MACOSX/", None, 0, b""), ("__MACOSX/資料/".encode(), None, 0, b""),
                   (S.nfd("__MACOSX/資料/._データ一覧.txt").encode(), b"\0\x05\x16\x07\0\x02\0\0Mac OS X        " + b"\0" * 60, 0, b"")]
    mz = J.zip_build(mac_entries, made_by=0x0315)
    cid = "small-mac-zip"
    c.append(Case(cid, "Apple Mail + Finder zip", [9], S.mac_mail(cid, tag, "資料一式", "伊藤 桃子", "資料をお送りします。\n",
                                                                  [Att(S.nfd("資料.zip"), mz, "application/zip")]),
                  fullstack=True, subject="資料一式", atts=["資料.zip"],
                  zips={"資料.zip": ["資料/データ一覧.txt", "資料/プレゼン用ガイド.txt"]},
                  notice_absent=["__MACOSX", ".DS_Store", "._"], report_has=["__MACOSX", ".DS_Store"]))
    mz2 = J.zip_build([(S.nfd("ポスター案.txt").encode(), TXT_SJIS, 0x800, b""),
                       (S.nfd("__MACOSX/._ポスター案.txt").encode(), b"\0\x05\x16\x07\0\x02\0\0Mac OS X        " + b"\0" * 60, 0x800, b"")],
                      made_by=0x0315)
    cid = "small-mac-zip-flagged"
    c.append(Case(cid, "Gmail + macOS zip (UTF-8 flag)", [9], S.gmail(cid, tag, "ポスター案", "伊藤 桃子", "ポスター案です。\n",
                                                                      [Att("ポスター案.zip", mz2, "application/zip")]),
                  subject="ポスター案", atts=["ポスター案.zip"], zips={"ポスター案.zip": ["ポスター案.txt"]},
                  notice_absent=["__MACOSX", "._"]))
    para = "これは format=flowed で送られた長い段落です。読み手には一つの段落として表示されなければなりません。"
    cid = "small-tb-flowed"
    c.append(Case(cid, "Thunderbird (format=flowed)", [9], S.thunderbird(cid, tag, "長い段落", "山田 太郎", para + "\n",
                                                                         [Att("出席者一覧.csv", CSV, "text/csv")]),
                  fullstack=True, subject="長い段落", body=[para], atts=["出席者一覧.csv"], notice=True))
    cid = "small-mac-flowed-jis"
    c.append(Case(cid, "Apple Mail (ISO-2022-JP, flowed)", [9], S.mac_mail(cid, tag, "長い段落", "伊藤 桃子", para + "\n",
                                                                           [Att("出席者一覧.csv", CSV, "text/csv")]),
                  subject="長い段落", body=[para], atts=["出席者一覧.csv"], notice=True))
    cid = "small-mac-nfd-name"
    c.append(Case(cid, "Apple Mail (NFD file name)", [9], S.mac_mail(cid, tag, "データ", "伊藤 桃子", "データです。\n",
                                                                     [Att(S.nfd("データ集計（ガイド）.txt"), TXT_SJIS, "text/plain")], charset="utf-8"),
                  subject="データ", atts=["データ集計（ガイド）.txt"]))
    cid = "small-iphone-nfd-zip"
    nz = J.zip_build([(S.nfd("ダウンロード/ガイドブック.txt").encode(), TXT_SJIS, 0x800, b"")], made_by=0x0315)
    c.append(Case(cid, "iPhone (NFD zip names)", [9], S.iphone(cid, tag, "ガイド", "鈴木 花子", "ガイドです。\n",
                                                               [Att("ガイド.zip", nz, "application/zip")], split=False),
                  subject="ガイド", atts=["ガイド.zip"], zips={"ガイド.zip": ["ダウンロード/ガイドブック.txt"]}))
    return c


def families_zip(tag):
    """Zip names from Japanese Windows tools (0x5C trail bytes), Lhaplus, Info-ZIP."""
    c = []
    names = ["能登支所/予定表.txt", "ソフト開発/表計算.csv", "申請書_十.txt"]
    z = J.zip_build([(n.encode("cp932"), TXT_SJIS if not n.endswith("csv") else CSV, 0, b"") for n in names])
    cid = "zip-explorer-5c"
    c.append(Case(cid, "Outlook + Explorer zip", [4], S.outlook(cid, tag, "資料一式", "髙橋 一郎", BODY_MEETING,
                                                               [Att("資料一式.zip", z, "application/x-zip-compressed")]),
                  fullstack=True, subject="資料一式", atts=["資料一式.zip"], zips={"資料一式.zip": names}))
    z2 = J.zip_build([(n.encode("cp932"), TXT_SJIS, 0, b"") for n in ["①会議次第.txt", "髙﨑様_見積.txt"]], made_by=0x000B)
    cid = "zip-lhaplus-nec"
    c.append(Case(cid, "Becky! + Lhaplus zip", [0], S.becky(cid, tag, "見積", "田中 次郎", "見積です。\n",
                                                           [Att("見積.zip", z2, "application/x-zip-compressed")]),
                  subject="見積", atts=["見積.zip"], zips={"見積.zip": ["①会議次第.txt", "髙﨑様_見積.txt"]}))
    up = "報告/結果.txt"
    extra = b"\x75\x70" + (len(up.encode()) + 5).to_bytes(2, "little") + b"\x01" + \
        (__import__("zlib").crc32(up.encode("cp932")) & 0xFFFFFFFF).to_bytes(4, "little") + up.encode()
    z3 = J.zip_build([(up.encode("cp932"), TXT_SJIS, 0, extra)], made_by=0x031E)
    cid = "zip-infozip-unicode-extra"
    c.append(Case(cid, "Info-ZIP (Unicode path extra field)", [0], S.thunderbird(cid, tag, "結果", "山田 太郎", "結果です。\n",
                                                                                 [Att("結果.zip", z3, "application/zip")], flowed=False),
                  subject="結果", atts=["結果.zip"], zips={"結果.zip": [up]}))
    return c


def build(tag="t"):
    cases = []
    for fam in (families_base, families_mailers, families_yen, families_mislabel, families_kana, families_names,
                families_forward, families_long, families_broken_words, families_notice, families_small, families_zip):
        cases += fam(tag)
    seen = set()
    for c in cases:
        assert c.cid not in seen, c.cid
        seen.add(c.cid)
        m = re.search(rb"^Message-I[Dd]: <([^>]+)>", c.eml, re.M | re.I)
        c.expect["msgid"] = m.group(1).decode()
    return cases


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for c in build():
        with open(os.path.join(out, c.cid + ".eml"), "wb") as f:
            f.write(c.eml)
    print(len(build()), "cases")
