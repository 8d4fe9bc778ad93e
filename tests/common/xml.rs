//! A minimal XML well-formedness checker for the SVG and HTML tests (no XML crate needed).

fn check_entity(text: &str, at: usize) -> Result<usize, String> {
    let rest = &text[at..];
    let end = rest
        .find(';')
        .ok_or_else(|| format!("unterminated entity at byte {at}"))?;
    let name = &rest[1..end];
    let valid = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
        || name
            .strip_prefix("#x")
            .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
        || name
            .strip_prefix('#')
            .is_some_and(|dec| !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit()));
    if valid {
        Ok(at + end + 1)
    } else {
        Err(format!("invalid entity &{name}; at byte {at}"))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
}

/// Returns the root element name, or where the document is malformed.
pub fn check_well_formed(xml: &str) -> Result<String, String> {
    let bytes = xml.as_bytes();
    let mut stack: Vec<&str> = Vec::new();
    let mut root: Option<String> = None;
    let mut position = 0;
    while position < bytes.len() {
        match bytes[position] {
            b'<' => {
                let rest = &xml[position..];
                if rest.starts_with("<?") || rest.starts_with("<!--") {
                    let terminator = if rest.starts_with("<?") { "?>" } else { "-->" };
                    position +=
                        rest.find(terminator).ok_or("unterminated declaration")? + terminator.len();
                    continue;
                }
                if let Some(closing) = rest.strip_prefix("</") {
                    let end = closing.find('>').ok_or("unterminated closing tag")?;
                    let name = closing[..end].trim_end();
                    let open = stack
                        .pop()
                        .ok_or_else(|| format!("</{name}> without an open tag"))?;
                    if open != name {
                        return Err(format!("</{name}> closes <{open}> at byte {position}"));
                    }
                    position += 2 + end + 1;
                    continue;
                }
                // Start tag: name, attributes, `>` or `/>`.
                let mut cursor = position + 1;
                let name_start = cursor;
                while cursor < bytes.len() && is_name_char(bytes[cursor] as char) {
                    cursor += 1;
                }
                let name = &xml[name_start..cursor];
                if name.is_empty() {
                    return Err(format!("stray '<' at byte {position}"));
                }
                let mut attribute_names: Vec<&str> = Vec::new();
                loop {
                    while cursor < bytes.len() && (bytes[cursor] as char).is_ascii_whitespace() {
                        cursor += 1;
                    }
                    if cursor >= bytes.len() {
                        return Err(format!("unterminated <{name}>"));
                    }
                    if xml[cursor..].starts_with("/>") {
                        cursor += 2;
                        if stack.is_empty() && root.is_some() {
                            return Err("second root element".into());
                        }
                        root.get_or_insert_with(|| name.to_owned());
                        break;
                    }
                    if bytes[cursor] == b'>' {
                        cursor += 1;
                        if stack.is_empty() {
                            if root.is_some() {
                                return Err("second root element".into());
                            }
                            root = Some(name.to_owned());
                        }
                        stack.push(name);
                        break;
                    }
                    let attribute_start = cursor;
                    while cursor < bytes.len() && is_name_char(bytes[cursor] as char) {
                        cursor += 1;
                    }
                    let attribute = &xml[attribute_start..cursor];
                    if attribute.is_empty() || bytes.get(cursor) != Some(&b'=') {
                        return Err(format!(
                            "bad attribute in <{name}> at byte {attribute_start}"
                        ));
                    }
                    if attribute_names.contains(&attribute) {
                        return Err(format!("duplicate attribute {attribute} in <{name}>"));
                    }
                    attribute_names.push(attribute);
                    cursor += 1;
                    let quote = *bytes.get(cursor).ok_or("attribute without value")?;
                    if quote != b'"' && quote != b'\'' {
                        return Err(format!("unquoted attribute {attribute} in <{name}>"));
                    }
                    cursor += 1;
                    while bytes.get(cursor) != Some(&quote) {
                        match bytes.get(cursor) {
                            None => return Err(format!("unterminated attribute {attribute}")),
                            Some(b'<') => {
                                return Err(format!("'<' in attribute {attribute} of <{name}>"));
                            }
                            Some(b'&') => cursor = check_entity(xml, cursor)?,
                            Some(_) => cursor += 1,
                        }
                    }
                    cursor += 1;
                }
                position = cursor;
            }
            b'&' => position = check_entity(xml, position)?,
            other => {
                if stack.is_empty() && !(other as char).is_ascii_whitespace() {
                    return Err(format!("text outside the root at byte {position}"));
                }
                position += 1;
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> never closed"));
    }
    root.ok_or_else(|| "no root element".to_owned())
}
