//! How a registry holds a token to the clock: each registry's module states its own
//! [`TokenTiming`] (leeway, which bounds are inclusive, which time claims it requires), and
//! `--jwks` verification applies the timing of the registry being judged.

/// A registry's rules for a token's `exp`, `nbf` and `iat`, relative to its clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenTiming {
    /// Seconds a token stays accepted after its `exp`.
    pub exp_leeway: i64,
    /// Whether a token is still accepted at exactly `exp + exp_leeway` (jsonwebtoken and
    /// .NET: yes; PyJWT and RubyGems' `now < exp`: no).
    pub exp_bound_inclusive: bool,
    /// Seconds a token is accepted before its `nbf`, when it has one.
    pub nbf_leeway: i64,
    /// Seconds a token's `iat` may lie in the future; `None` when `iat` is not compared.
    pub iat_leeway: Option<i64>,
    /// The time claims a token must carry.
    pub required: &'static [&'static str],
    /// How the registry's timing was established, in a few words (the README's table).
    pub summary: &'static str,
}

/// Why a token fails before any publisher is looked at: its signature (from `--jwks`), or the
/// clock under one registry's [`TokenTiming`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    /// The signature, key, algorithm or issuer does not verify; the reason.
    Signature(String),
    /// `exp` has passed, beyond the registry's leeway.
    Expired,
    /// `nbf` lies in the future, beyond the registry's leeway.
    NotYetValid,
    /// `iat` lies in the future, beyond the registry's leeway.
    IssuedInFuture,
    /// A time claim the registry requires is absent or not an integer.
    TimeClaim(&'static str),
}

impl TokenProblem {
    /// The problem in one sentence.
    pub fn describe(&self) -> String {
        match self {
            TokenProblem::Signature(why) => why.clone(),
            TokenProblem::Expired => "the token has expired (`exp` is in the past)".into(),
            TokenProblem::NotYetValid => {
                "the token is not valid yet (`nbf` is in the future)".into()
            }
            TokenProblem::IssuedInFuture => "the token was issued in the future (`iat`)".into(),
            TokenProblem::TimeClaim(c) => format!("the token has no integer `{c}` claim"),
        }
    }
}

impl TokenTiming {
    /// The first problem of a token whose time claims are `exp`, `nbf` and `iat` (absent:
    /// `None`) at `now`, under these rules: required claims first, then `iat`, `nbf`, `exp` (the
    /// order PyJWT and jsonwebtoken check them).
    pub fn problem(
        &self,
        exp: Option<i64>,
        nbf: Option<i64>,
        iat: Option<i64>,
        now: i64,
    ) -> Option<TokenProblem> {
        for claim in self.required {
            let present = match *claim {
                "exp" => exp.is_some(),
                "nbf" => nbf.is_some(),
                "iat" => iat.is_some(),
                _ => true,
            };
            if !present {
                return Some(TokenProblem::TimeClaim(claim));
            }
        }
        if let (Some(iat), Some(leeway)) = (iat, self.iat_leeway)
            && iat > now.saturating_add(leeway)
        {
            return Some(TokenProblem::IssuedInFuture);
        }
        if let Some(nbf) = nbf
            && nbf > now.saturating_add(self.nbf_leeway)
        {
            return Some(TokenProblem::NotYetValid);
        }
        if let Some(exp) = exp {
            let limit = now.saturating_sub(self.exp_leeway);
            let expired = if self.exp_bound_inclusive {
                exp < limit
            } else {
                exp <= limit
            };
            if expired {
                return Some(TokenProblem::Expired);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: TokenTiming = TokenTiming {
        exp_leeway: 30,
        exp_bound_inclusive: false,
        nbf_leeway: 30,
        iat_leeway: Some(30),
        required: &["exp", "iat"],
        summary: "",
    };

    #[test]
    fn bounds_follow_the_leeway_and_inclusiveness() {
        let now = 1_000;
        assert_eq!(T.problem(Some(971), None, Some(0), now), None);
        assert_eq!(
            T.problem(Some(970), None, Some(0), now),
            Some(TokenProblem::Expired)
        );
        let inclusive = TokenTiming {
            exp_bound_inclusive: true,
            ..T
        };
        assert_eq!(inclusive.problem(Some(970), None, Some(0), now), None);
        assert_eq!(T.problem(Some(2_000), Some(1_030), Some(0), now), None);
        assert_eq!(
            T.problem(Some(2_000), Some(1_031), Some(0), now),
            Some(TokenProblem::NotYetValid)
        );
        assert_eq!(
            T.problem(Some(2_000), None, Some(1_031), now),
            Some(TokenProblem::IssuedInFuture)
        );
        assert_eq!(
            T.problem(Some(2_000), None, None, now),
            Some(TokenProblem::TimeClaim("iat"))
        );
    }
}
