//! Languages: which language tags are written right to left, each language's name in its own
//! script ("Cymraeg", "العربية", "ગુજરાતી"), and the built-in wording of the sentences
//! policypress prints about translations: the notice on a translation of an earlier version and
//! the "If you need this in another language" strap-line of English leaflets.
//!
//! The wording here is machine-quality: a professional translator must check it before real
//! use, and the site settings (`language-texts:`) replace any of it. A language with no wording
//! here prints those sentences in English only.
//!
//! Data only.

/// What policypress knows of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    /// The BCP 47 tag, as the table knows it (compared ignoring case).
    pub tag: &'static str,
    /// Its name in English.
    pub english: &'static str,
    /// Its name in itself, in its own script: what a reader looks for in a list of languages.
    pub own_name: &'static str,
    /// "This translation is of an earlier version; ask staff for the current information."
    pub out_of_date: Option<&'static str>,
    /// "If you need this information in another language, please ask a member of staff."
    pub ask_for_language: Option<&'static str>,
}

/// The out-of-date notice in English, printed on every out-of-date translation beside its own.
pub const OUT_OF_DATE_EN: &str = "This translation is of an earlier version; ask staff for the current information.";
/// The strap-line in English.
pub const ASK_FOR_LANGUAGE_EN: &str = "If you need this information in another language, please ask a member of staff.";

const fn lang(
    tag: &'static str,
    english: &'static str,
    own_name: &'static str,
    out_of_date: Option<&'static str>,
    ask_for_language: Option<&'static str>,
) -> Language {
    Language { tag, english, own_name, out_of_date, ask_for_language }
}

/// The languages with names and wording built in.
pub const LANGUAGES: &[Language] = &[
    lang("en", "English", "English", Some(OUT_OF_DATE_EN), Some(ASK_FOR_LANGUAGE_EN)),
    lang(
        "cy",
        "Welsh",
        "Cymraeg",
        Some("Mae’r cyfieithiad hwn o fersiwn gynharach; gofynnwch i’r staff am yr wybodaeth ddiweddaraf."),
        Some("Os oes angen yr wybodaeth hon arnoch mewn iaith arall, gofynnwch i aelod o staff."),
    ),
    lang(
        "pl",
        "Polish",
        "Polski",
        Some("To tłumaczenie dotyczy wcześniejszej wersji; aktualne informacje uzyskasz od personelu."),
        Some("Jeśli potrzebujesz tych informacji w innym języku, zapytaj członka personelu."),
    ),
    lang(
        "ar",
        "Arabic",
        "العربية",
        Some("هذه الترجمة لنسخة سابقة؛ اطلب من الموظفين المعلومات الحالية."),
        Some("إذا كنت بحاجة إلى هذه المعلومات بلغة أخرى، يرجى سؤال أحد الموظفين."),
    ),
    lang(
        "ur",
        "Urdu",
        "اردو",
        Some("یہ ترجمہ ایک پرانے ورژن کا ہے؛ تازہ ترین معلومات کے لیے عملے سے پوچھیں۔"),
        Some("اگر آپ کو یہ معلومات کسی اور زبان میں درکار ہوں تو براہ کرم عملے کے کسی رکن سے پوچھیں۔"),
    ),
    lang(
        "pa",
        "Punjabi",
        "ਪੰਜਾਬੀ",
        Some("ਇਹ ਅਨੁਵਾਦ ਪੁਰਾਣੇ ਸੰਸਕਰਣ ਦਾ ਹੈ; ਮੌਜੂਦਾ ਜਾਣਕਾਰੀ ਲਈ ਸਟਾਫ਼ ਨੂੰ ਪੁੱਛੋ।"),
        Some("ਜੇ ਤੁਹਾਨੂੰ ਇਹ ਜਾਣਕਾਰੀ ਕਿਸੇ ਹੋਰ ਭਾਸ਼ਾ ਵਿੱਚ ਚਾਹੀਦੀ ਹੈ, ਤਾਂ ਕਿਰਪਾ ਕਰਕੇ ਸਟਾਫ਼ ਦੇ ਕਿਸੇ ਮੈਂਬਰ ਨੂੰ ਪੁੱਛੋ।"),
    ),
    lang(
        "gu",
        "Gujarati",
        "ગુજરાતી",
        Some("આ અનુવાદ જૂના સંસ્કરણનો છે; વર્તમાન માહિતી માટે સ્ટાફને પૂછો."),
        Some("જો તમને આ માહિતી બીજી ભાષામાં જોઈતી હોય, તો કૃપા કરીને સ્ટાફના સભ્યને પૂછો."),
    ),
    lang(
        "bn",
        "Bengali",
        "বাংলা",
        Some("এই অনুবাদটি একটি পুরোনো সংস্করণের; বর্তমান তথ্যের জন্য কর্মীদের জিজ্ঞাসা করুন।"),
        Some("আপনার যদি এই তথ্য অন্য কোনো ভাষায় প্রয়োজন হয়, অনুগ্রহ করে একজন কর্মীকে জিজ্ঞাসা করুন।"),
    ),
    lang(
        "hi",
        "Hindi",
        "हिन्दी",
        Some("यह अनुवाद पिछले संस्करण का है; वर्तमान जानकारी के लिए कर्मचारियों से पूछें।"),
        Some("यदि आपको यह जानकारी किसी अन्य भाषा में चाहिए, तो कृपया किसी कर्मचारी से पूछें।"),
    ),
    lang(
        "ro",
        "Romanian",
        "Română",
        Some("Această traducere este a unei versiuni anterioare; cereți personalului informațiile actuale."),
        Some("Dacă aveți nevoie de aceste informații în altă limbă, vă rugăm să întrebați un membru al personalului."),
    ),
    lang("pt", "Portuguese", "Português", None, None),
    lang("lt", "Lithuanian", "Lietuvių", None, None),
    lang("so", "Somali", "Soomaali", None, None),
    lang("fa", "Persian", "فارسی", None, None),
    lang("zh-Hans", "Chinese (Simplified)", "简体中文", None, None),
    lang("zh-Hant", "Chinese (Traditional)", "繁體中文", None, None),
];

/// Primary language subtags written right to left.
const RTL_LANGUAGES: [&str; 12] = ["ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "dv", "ckb", "syr", "ks"];

/// The table's entry for `tag` (ignoring case), else for its primary subtag (`cy-GB` is `cy`).
pub fn language(tag: &str) -> Option<&'static Language> {
    let exact = LANGUAGES.iter().find(|l| l.tag.eq_ignore_ascii_case(tag));
    exact.or_else(|| {
        let primary = tag.split('-').next()?;
        LANGUAGES.iter().find(|l| l.tag.eq_ignore_ascii_case(primary))
    })
}

/// The language's name in its own script, else the tag itself.
pub fn own_name(tag: &str) -> String {
    language(tag).map_or_else(|| tag.to_string(), |l| l.own_name.to_string())
}

/// True when `tag` is written right to left (by its script subtag when it has one, else by
/// its language: `ar`, `ur`, `fa`, `he` and others; `pa-Arab` is, `pa` is not).
pub fn is_rtl(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("").to_ascii_lowercase();
    for part in parts {
        if part.len() == 4 {
            return ["arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg"]
                .contains(&part.to_ascii_lowercase().as_str());
        }
    }
    RTL_LANGUAGES.contains(&primary.as_str())
}

/// True when two language tags name the same language (`en-GB` and `en`, ignoring case).
pub fn same_language(a: &str, b: &str) -> bool {
    let primary = |t: &str| t.split('-').next().unwrap_or(t).to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || primary(a) == primary(b)
}

/// A well-formed BCP 47 tag as policypress accepts it: a 2 or 3 letter language, then subtags
/// of 1 to 8 letters or digits (`cy`, `pa-Arab`, `zh-Hans`, `en-GB`).
pub fn valid_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_follows_the_script_then_the_language() {
        assert!(is_rtl("ar") && is_rtl("ur-PK") && is_rtl("pa-Arab") && is_rtl("fa"));
        assert!(!is_rtl("pa") && !is_rtl("cy") && !is_rtl("en-GB") && !is_rtl("ar-Latn"));
    }

    #[test]
    fn names_are_in_their_own_script_and_regions_fall_back_to_the_language() {
        assert_eq!(own_name("ar"), "العربية");
        assert_eq!(own_name("cy-GB"), "Cymraeg");
        assert_eq!(own_name("zh-hans"), "简体中文");
        assert_eq!(own_name("xx"), "xx");
    }

    #[test]
    fn tags_are_checked() {
        assert!(valid_tag("cy") && valid_tag("zh-Hans") && valid_tag("pa-Arab"));
        assert!(!valid_tag("welsh") && !valid_tag("c") && !valid_tag("cy_GB") && !valid_tag(""));
    }
}
