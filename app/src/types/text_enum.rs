//! `text_enum!`: the shape every stored closed set of names takes.

/// A closed set of names stored as TEXT (with a CHECK in the schema), each with
/// its translated label.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal, $label:ident;)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name stored in the database and sent in forms.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text.trim() {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The translated label.
            pub const fn label(self) -> Key {
                match self {
                    $($name::$variant => Key::$label,)+
                }
            }
        }
    };
}

/// Usable outside `types` too (`crate::types::text_enum::text_enum!`).
pub(crate) use text_enum;
