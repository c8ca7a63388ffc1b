/** Posts, comments and likes (placeholder: built by the content work of issue 24). */
import type { CallerContentStore, ContentReads } from "../social";

const notBuilt = (): never => {
  throw new Error("Posts and comments are not built yet.");
};

export function d1ContentReads(..._args: unknown[]): ContentReads {
  return { postsPage: notBuilt, userPostsPage: notBuilt, post: notBuilt, commentsPage: notBuilt, comment: notBuilt };
}

export function d1CallerContentStore(..._args: unknown[]): CallerContentStore {
  return {
    postsPage: notBuilt, userPostsPage: notBuilt, post: notBuilt, commentsPage: notBuilt, comment: notBuilt,
    createPost: notBuilt, updatePost: notBuilt, deletePost: notBuilt, createComment: notBuilt, updateComment: notBuilt,
    deleteComment: notBuilt, like: notBuilt, unlike: notBuilt,
  };
}
