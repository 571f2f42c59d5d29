//! Identity: who is asking, and can they prove it.
pub mod codes;
pub mod enroll;
pub mod login;
pub mod password;
pub mod reset;
pub mod second_factor;
pub mod sessions;
pub mod totp;
