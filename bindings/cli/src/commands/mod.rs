pub mod inspect;
pub mod invoice;
