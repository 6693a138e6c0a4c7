/** What the bot says, in every feature, when someone may not do what they asked. */
export const NOT_A_MEMBER = 'Only members of this CoP can do that. Join its channel to take part.';
export const NOT_A_COORDINATOR = 'Only this CoP’s coordinators can do that.';
