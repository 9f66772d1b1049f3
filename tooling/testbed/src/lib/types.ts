/** A username and password. */
export interface Credentials {
  username: string;
  password: string;
}
